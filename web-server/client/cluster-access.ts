/**
 * How the page reaches the cluster: where the gate is (the web server's config.json), a sign-in token
 * (the web server's development sign-in), the gate's choice of connector, sockets and requests that
 * never hang.
 */
import type { io as ioFunction, Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  EVERYONE as EVERYONE_VALUE,
  QueryEntryResult,
  Reply,
  ServerToClientEvents,
  TokenResponse,
} from '../../app/protocol';
import { ChatError, replyError } from './chat-error';

// socket.io.min.js, served by the web server from the socket.io-client package, defines `io`.
declare const io: typeof ioFunction;

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

// Route names and `'*'` are copies the compiler checks against app/protocol.ts (the client imports its types only).
export const ROUTE = {
  queryEntry: 'gate.gateHandler.queryEntry',
  enter: 'connector.entryHandler.enter',
  refresh: 'connector.entryHandler.refresh',
  send: 'chat.chatHandler.send',
  history: 'chat.chatHandler.history',
  join: 'chat.chatHandler.join',
  leave: 'chat.chatHandler.leave',
  typing: 'chat.chatHandler.typing',
  read: 'chat.chatHandler.read',
} as const satisfies Record<string, keyof ClientToServerEvents>;
/** `target` for a message to the whole room. */
export const EVERYONE: typeof EVERYONE_VALUE = '*';

const CONNECT_TIMEOUT_MS = 5000;
export const REQUEST_TIMEOUT_MS = 5000;

export interface ClientConfig {
  gate: { host: string; port: number };
}

export async function fetchConfig(): Promise<ClientConfig> {
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
export async function fetchToken(username: string): Promise<string | undefined> {
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

export async function queryEntry(gate: ClientConfig['gate'], uid: string): Promise<QueryEntryResult> {
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

export function connect(host: string, port: number, what: 'gate' | 'connector'): Promise<ChatSocket> {
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
export async function request<T>(what: 'gate' | 'connector', emit: () => Promise<unknown>): Promise<T> {
  try {
    // socket.io types a timed-out emitWithAck's answer as `any`; the event map says what it is.
    return (await emit()) as T;
  } catch {
    throw new ChatError(`The chat server (${what}) did not answer in time. Try again in a moment.`);
  }
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
