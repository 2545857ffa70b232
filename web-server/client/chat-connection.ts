/**
 * The client side of docs/PROTOCOL.md: gate, connector, enter, send, pushes. The room's log is
 * followed by seq (every message once, in order, gaps filled from history); when the connection
 * drops, re-entry through the gate with `lastSeq` and `epoch`, and sends that got no answer are sent
 * again with the same `clientMsgId`, so nothing is lost or shown twice.
 */
import type { io as ioFunction, Socket } from 'socket.io-client';
import { RoomLogFollower } from '../../app/client/room-log-follower';
import type {
  ChatMessage,
  ClientToServerEvents,
  EnterResult,
  EVERYONE as EVERYONE_VALUE,
  HistoryResult,
  KickEvent,
  QueryEntryResult,
  Reply,
  SendResult,
  ServerToClientEvents,
  TokenResponse,
  TOKEN_EXPIRED as TOKEN_EXPIRED_VALUE,
} from '../../app/protocol';

// socket.io.min.js, served by the web server from the socket.io-client package, defines `io`.
declare const io: typeof ioFunction;

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

// Route names and `'*'` are copies the compiler checks against app/protocol.ts (the client imports its types only).
const ROUTE = {
  queryEntry: 'gate.gateHandler.queryEntry',
  enter: 'connector.entryHandler.enter',
  refresh: 'connector.entryHandler.refresh',
  send: 'chat.chatHandler.send',
  history: 'chat.chatHandler.history',
} as const satisfies Record<string, keyof ClientToServerEvents>;
export const EVERYONE: typeof EVERYONE_VALUE = '*';
const TOKEN_EXPIRED: typeof TOKEN_EXPIRED_VALUE = 'token expired';

const CONNECT_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 5000;
const RETRY_FIRST_MS = 300;
const RETRY_MAX_MS = 5000;
/** How long a send that got no answer waits for the re-entry before it is sent again. */
const RESEND_WAIT_MS = 30_000;
const SEND_ATTEMPTS = 3;

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
  /** The room's history could not be fully recovered: some messages may be missing. */
  lost(): void;
  /** A moderator removed this user from the room; the connection is over (no re-entry). */
  kicked(event: KickEvent): void;
  /** A re-entry was refused for good (401: the sign-in is gone; 403: banned, or not allowed): no more tries. */
  refused(error: ChatError): void;
}

interface ClientConfig {
  gate: { host: string; port: number };
}

/** One user in one room, from the first enter until `leave()`. */
export class ChatConnection {
  private socket?: ChatSocket;
  private closed = false;
  /** Messages delivered while an enter reply is applied: they are that enter's history. */
  private replayed?: ChatMessage[];
  /** The last send that failed, whose id a send of the same message again reuses. */
  private lastFailed?: { content: string; target: string; clientMsgId: string };
  /** Resolves at the next successful (re-)entry. */
  private nextEntry?: { promise: Promise<void>; resolve: () => void };
  private readonly follower = new RoomLogFollower({
    fetchHistory: async (afterSeq, epoch) => {
      const socket = this.socket;
      if (!socket?.connected) throw new ChatError('Not connected.');
      const reply = await request<Reply<HistoryResult>>('connector', () =>
        socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.history, { rid: this.rid, afterSeq, ...(epoch !== undefined && { epoch }) }),
      );
      if (reply.code !== 200) throw replyError(reply, this.username, this.rid);
      return reply;
    },
    deliver: (message) => (this.replayed ? this.replayed.push(message) : this.events.message(message)),
    lost: () => this.events.lost(),
  });

  constructor(
    readonly username: string,
    readonly rid: string,
    private readonly events: ChatEvents,
  ) {}

  /** The first enter (reported through `entered`), or a ChatError saying why not. */
  async enter(): Promise<void> {
    await this.enterOnce(false);
  }

  /**
   * Sends to the room (`'*'`) or privately to one user; resolves with the message's id and seq. A
   * send that gets no answer (the connection dropped) is sent again after the re-entry with the same
   * `clientMsgId`: the server delivers it once, however often it arrives.
   */
  async send(content: string, target: string): Promise<SendResult> {
    // Sending a failed message again keeps its id: if the failure hid a success, it still shows once.
    const retry = this.lastFailed?.content === content && this.lastFailed.target === target;
    const clientMsgId = retry ? this.lastFailed!.clientMsgId : newClientMsgId();
    try {
      const result = await this.sendOnce(content, target, clientMsgId);
      this.lastFailed = undefined;
      return result;
    } catch (err) {
      this.lastFailed = { content, target, clientMsgId };
      throw err;
    }
  }

  private async sendOnce(content: string, target: string, clientMsgId: string): Promise<SendResult> {
    for (let attempt = 1; ; attempt++) {
      const socket = this.socket;
      if (socket?.connected) {
        try {
          const reply = await request<Reply<SendResult>>('connector', () =>
            socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.send, { content, target, clientMsgId }),
          );
          if (reply.code !== 200) throw replyError(reply, this.username, this.rid);
          return { id: reply.id, seq: reply.seq };
        } catch (err) {
          if (!(err instanceof ChatError) || err.code !== undefined || attempt >= SEND_ATTEMPTS) throw err;
        }
      } else if (attempt >= SEND_ATTEMPTS || this.closed) {
        throw new ChatError('Not connected: your message was not sent.');
      }
      if (!(await this.reentered())) throw new ChatError('Not connected: your message was not sent.');
    }
  }

  /** Leaves the room for good (no re-entry). */
  leave(): void {
    this.closed = true;
    this.follower.close();
    this.socket?.disconnect();
    this.socket = undefined;
  }

  /** True once connected and in the room again (at once if still so), false after a long wait. */
  private async reentered(): Promise<boolean> {
    if (this.socket?.connected) return true;
    if (!this.nextEntry) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.nextEntry = { promise, resolve };
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), RESEND_WAIT_MS)));
    const back = await Promise.race([this.nextEntry.promise.then(() => true), timeout]);
    clearTimeout(timer);
    return back;
  }

  private async refreshToken(socket: ChatSocket): Promise<void> {
    try {
      const token = await fetchToken(this.username);
      if (token === undefined) return;
      await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.refresh, { token });
    } catch {
      // Not refreshed: the connector closes the connection at expiry, and re-entry signs in again.
    }
  }

  private async enterOnce(reentry: boolean): Promise<void> {
    const config = await fetchConfig();
    // A new token at each entry: the last one may have expired while the connection was up.
    const token = await fetchToken(this.username);
    const entry = await queryEntry(config.gate, this.username);
    const socket = await connect(entry.host, entry.port, 'connector');
    // Pushes that arrive before the enter reply wait for it, so they land after the history (the
    // follower holds messages itself until `entered`).
    let held: (() => void)[] | undefined = [];
    const deliver = (fn: () => void): void => void (held ? held.push(fn) : fn());
    socket.on('onChat', (message) => this.follower.chat(message));
    socket.on('onSeq', (event) => this.follower.seq(event));
    socket.on('onAdd', ({ user }) => deliver(() => this.events.userAdded(user)));
    // The token runs out in 30 s: a new one from the web server, before the connector closes the connection.
    socket.on('onTokenExpiring', () => void this.refreshToken(socket));
    socket.on('onLeave', ({ user }) => deliver(() => this.events.userLeft(user)));
    // The connection closes right after: no re-entry (a banned user would only be refused).
    socket.on('onKick', (event) => {
      // Not a moderator's doing: the disconnect that follows re-enters with a new token.
      if (this.closed || event.reason === TOKEN_EXPIRED) return;
      this.closed = true;
      this.follower.close();
      this.socket = undefined;
      this.events.kicked(event);
    });

    let reply: Reply<EnterResult>;
    try {
      reply = await request<Reply<EnterResult>>('connector', () =>
        socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.enter, {
          username: this.username,
          rid: this.rid,
          ...this.follower.position(),
          ...(token !== undefined && { token }),
        }),
      );
      if (reply.code !== 200) throw replyError(reply, this.username, this.rid);
    } catch (err) {
      // Leave nothing half-open behind: a session left on the connector would hold the name.
      socket.disconnect();
      this.follower.suspend();
      throw err;
    }
    if (this.closed) {
      socket.disconnect();
      throw new ChatError('Left the room.');
    }
    // Dropped between the reply and now: no 'disconnect' would reach the handler below, so say so here.
    if (!socket.connected) throw new ChatError('The connection dropped while entering. Try again in a moment.');
    this.socket = socket;
    socket.on('disconnect', (reason) => {
      if (this.closed || this.socket !== socket) return;
      this.socket = undefined;
      this.follower.suspend();
      this.events.disconnected(reason);
      void this.reenter();
    });
    const history: ChatMessage[] = [];
    this.replayed = history;
    this.follower.entered({ messages: reply.history, epoch: reply.epoch, lastSeq: reply.lastSeq, recovered: reply.recovered });
    this.replayed = undefined;
    this.events.entered(reply.users, history, reentry);
    this.nextEntry?.resolve();
    this.nextEntry = undefined;
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
        // Trying again would only be refused again.
        if (error.code === 401 || error.code === 403) {
          this.closed = true;
          this.follower.close();
          this.events.refused(error);
          return;
        }
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

/**
 * A sign-in token from the web server (`POST /api/token`, development sign-in), or undefined when it
 * issues none (404: the cluster is open, or tokens come from elsewhere).
 */
async function fetchToken(username: string): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch('api/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username }),
      cache: 'no-store',
    });
  } catch {
    throw new ChatError('Cannot reach the web server. Check your connection, then try again.');
  }
  if (response.status === 404) return undefined;
  const body = (await response.json().catch(() => ({}))) as Partial<TokenResponse> & { error?: string };
  if (!response.ok || typeof body.token !== 'string') {
    throw new ChatError(`Could not sign in: ${body.error ?? `HTTP ${response.status}`}.`, response.status);
  }
  return body.token;
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
    case 401:
      return new ChatError(`Sign-in needed: ${reason}.`, 401);
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

function newClientMsgId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
