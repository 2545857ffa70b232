/**
 * The client side of docs/PROTOCOL.md: gate, connector, enter, send, pushes; and, when the
 * connection drops, re-entry through the gate with `lastId` so that history fills the gap.
 */
import type { io as ioFunction, Socket } from 'socket.io-client';
import type {
  ChatMessage,
  ClientToServerEvents,
  EnterResult,
  EVERYONE as EVERYONE_VALUE,
  QueryEntryResult,
  Reply,
  SendResult,
  ServerToClientEvents,
} from '../../app/protocol';

// socket.io.min.js, served by the web server from the socket.io-client package, defines `io`.
declare const io: typeof ioFunction;

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

// Route names and `'*'` are copies the compiler checks against app/protocol.ts (the client imports its types only).
const ROUTE = {
  queryEntry: 'gate.gateHandler.queryEntry',
  enter: 'connector.entryHandler.enter',
  send: 'chat.chatHandler.send',
} as const satisfies Record<string, keyof ClientToServerEvents>;
export const EVERYONE: typeof EVERYONE_VALUE = '*';

const CONNECT_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 5000;
const RETRY_FIRST_MS = 300;
const RETRY_MAX_MS = 5000;

/** Why something failed, worded for the person in front of the page; `code` is the reply's code when there was one. */
export class ChatError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'ChatError';
  }
}

export interface ChatEvents {
  message(message: ChatMessage): void;
  userAdded(user: string): void;
  userLeft(user: string): void;
  /** The connection dropped; re-entry has started. */
  disconnected(reason: string): void;
  /** A re-entry attempt failed; the next one starts in `retryInMs`. */
  retrying(error: ChatError, attempt: number, retryInMs: number): void;
  /**
   * In the room: `users` is the room now, `history` its recent messages (after a re-entry, only those
   * that came while away). Called before any push that arrived meanwhile.
   */
  entered(users: string[], history: ChatMessage[], reentry: boolean): void;
}

interface ClientConfig {
  gate: { host: string; port: number };
}

/** One user in one room, from the first enter until `leave()`. */
export class ChatConnection {
  private socket?: ChatSocket;
  private lastId = 0;
  private closed = false;

  constructor(
    readonly username: string,
    readonly rid: string,
    private readonly events: ChatEvents,
  ) {}

  /** The first enter (reported through `entered`), or a ChatError saying why not. */
  async enter(): Promise<void> {
    await this.enterOnce(false);
  }

  /** Sends to the room (`'*'`) or privately to one user; resolves with the message id. */
  async send(content: string, target: string): Promise<number> {
    const socket = this.socket;
    if (!socket?.connected) throw new ChatError('Not connected: your message was not sent.');
    const reply = await request<Reply<SendResult>>('connector', () =>
      socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.send, { content, target }),
    );
    if (reply.code !== 200) throw replyError(reply, this.username, this.rid);
    return reply.id;
  }

  /** Leaves the room for good (no re-entry). */
  leave(): void {
    this.closed = true;
    this.socket?.disconnect();
    this.socket = undefined;
  }

  private async enterOnce(reentry: boolean): Promise<void> {
    const config = await fetchConfig();
    const entry = await queryEntry(config.gate, this.username);
    const socket = await connect(entry.host, entry.port, 'connector');
    // Pushes that arrive before the enter reply wait for it, so they land after the history.
    let held: (() => void)[] | undefined = [];
    const deliver = (fn: () => void): void => void (held ? held.push(fn) : fn());
    socket.on('onChat', (message) =>
      deliver(() => {
        this.lastId = Math.max(this.lastId, message.id);
        this.events.message(message);
      }),
    );
    socket.on('onAdd', ({ user }) => deliver(() => this.events.userAdded(user)));
    socket.on('onLeave', ({ user }) => deliver(() => this.events.userLeft(user)));

    let reply: Reply<EnterResult>;
    try {
      reply = await request<Reply<EnterResult>>('connector', () =>
        socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.enter, {
          username: this.username,
          rid: this.rid,
          ...(this.lastId > 0 && { lastId: this.lastId }),
        }),
      );
      if (reply.code !== 200) throw replyError(reply, this.username, this.rid);
    } catch (err) {
      // Leave nothing half-open behind: a session left on the connector would hold the name.
      socket.disconnect();
      throw err;
    }
    if (this.closed) {
      socket.disconnect();
      throw new ChatError('Left the room.');
    }
    // Dropped between the reply and now: no 'disconnect' would reach the handler below, so say so here.
    if (!socket.connected) throw new ChatError('The connection dropped while entering. Try again in a moment.');
    for (const message of reply.history) this.lastId = Math.max(this.lastId, message.id);
    this.socket = socket;
    socket.on('disconnect', (reason) => {
      if (this.closed || this.socket !== socket) return;
      this.socket = undefined;
      this.events.disconnected(reason);
      void this.reenter();
    });
    this.events.entered(reply.users, reply.history, reentry);
    const pending = held;
    held = undefined;
    for (const fn of pending) fn();
  }

  private async reenter(): Promise<void> {
    let wait = RETRY_FIRST_MS;
    for (let attempt = 1; !this.closed; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, attempt === 1 ? 0 : wait));
      if (this.closed) return;
      try {
        await this.enterOnce(true);
        return;
      } catch (err) {
        if (this.closed) return;
        const error = err instanceof ChatError ? err : new ChatError(String(err));
        if (attempt > 1) wait = Math.min(RETRY_MAX_MS, Math.round(wait * 1.6));
        this.events.retrying(error, attempt, wait);
      }
    }
  }
}

async function fetchConfig(): Promise<ClientConfig> {
  let response: Response;
  try {
    response = await fetch('config.json', { cache: 'no-store' });
  } catch {
    throw new ChatError('Cannot reach the web server. Check your connection, then try again.');
  }
  if (!response.ok) throw new ChatError(`The web server cannot tell where the chat server is (HTTP ${response.status}).`);
  const config = (await response.json()) as Partial<ClientConfig>;
  if (typeof config.gate?.host !== 'string' || typeof config.gate.port !== 'number') {
    throw new ChatError('The web server sent a configuration this page does not understand.');
  }
  return config as ClientConfig;
}

async function queryEntry(gate: ClientConfig['gate'], uid: string): Promise<QueryEntryResult> {
  const socket = await connect(gate.host, gate.port, 'gate');
  try {
    const reply = await request<Reply<QueryEntryResult>>('gate', () =>
      socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.queryEntry, { uid }),
    );
    if (reply.code !== 200) throw replyError(reply, uid, '');
    return { host: reply.host, port: reply.port };
  } finally {
    socket.disconnect();
  }
}

function connect(host: string, port: number, what: 'gate' | 'connector'): Promise<ChatSocket> {
  const scheme = location.protocol === 'https:' ? 'https' : 'http';
  const socket: ChatSocket = io(`${scheme}://${formatHost(host)}:${port}`, {
    transports: ['websocket'],
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', () => {
      socket.disconnect();
      reject(
        new ChatError(
          what === 'gate'
            ? `The chat server is not reachable (gate at ${host}:${port}). It may be down; try again in a moment.`
            : `The chat server is not reachable (connector at ${host}:${port}). Try again in a moment.`,
        ),
      );
    });
  });
}

/** Runs one acknowledged request; a missing answer becomes a ChatError instead of a hang. */
async function request<T>(what: 'gate' | 'connector', emit: () => Promise<unknown>): Promise<T> {
  try {
    // socket.io types a timed-out emitWithAck's answer as `any`; the event map says what it is.
    return (await emit()) as T;
  } catch {
    throw new ChatError(`The chat server (${what}) did not answer in time. Try again in a moment.`);
  }
}

function replyError(reply: { code: number; error?: string }, username: string, rid: string): ChatError {
  const reason = reply.error ?? 'no reason given';
  switch (reply.code) {
    case 409:
      return new ChatError(`The name "${username}" is already taken in room "${rid}". Choose another name.`, 409);
    case 400:
      return new ChatError(`Not accepted: ${reason}.`, 400);
    case 403:
      return new ChatError(`Not allowed: ${reason}.`, 403);
    case 429:
      return new ChatError('Too many messages at once: wait a moment, then try again.', 429);
    case 503:
      return new ChatError(`The chat service is unavailable right now: ${reason}. Try again in a moment.`, 503);
    default:
      return new ChatError(`The chat server answered ${reply.code}: ${reason}.`, reply.code);
  }
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
