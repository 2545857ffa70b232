/** The socket.io side: the gate's answer, a connector socket, and requests that never hang. */
import { io, type Socket } from 'socket.io-client';
import { ChatClientError } from './errors.js';
import {
  Route,
  type ClientToServerEvents,
  type ErrorReply,
  type QueryEntryResult,
  type Reply,
  type ServerToClientEvents,
} from './protocol.js';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TransportOptions {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  transports: ('websocket' | 'polling')[];
}

/** Opens one socket.io connection (no socket.io reconnection: the client goes back through the gate itself). */
export function openSocket(url: string, what: string, options: TransportOptions): Promise<ChatSocket> {
  const socket: ChatSocket = io(url, {
    transports: options.transports,
    reconnection: false,
    timeout: options.connectTimeoutMs,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.disconnect();
      reject(new ChatClientError(`cannot reach the ${what} at ${url}: ${err.message}`));
    });
  });
}

/**
 * One acknowledged request. No answer within the timeout (or the connection dropped first) rejects
 * with a ChatClientError without `code`; an answer, whatever its code, resolves.
 */
export async function request<T>(
  what: string,
  options: TransportOptions,
  emit: (timeoutMs: number) => Promise<unknown>,
): Promise<Reply<T>> {
  try {
    // socket.io types a timed-out emitWithAck's answer as `any`; the event map says what it is.
    return (await emit(options.requestTimeoutMs)) as Reply<T>;
  } catch {
    throw new ChatClientError(`the ${what} did not answer within ${options.requestTimeoutMs} ms`);
  }
}

/** The reply's error as a ChatClientError carrying its code. */
export const replyError = (what: string, reply: ErrorReply): ChatClientError =>
  new ChatClientError(`${what} refused (${reply.code}): ${reply.error}`, reply.code, reply.error);

/** Asks the gate which connector serves `uid`, and returns that connector's URL (same scheme as the gate's). */
export async function queryEntry(gate: string, uid: string, options: TransportOptions): Promise<string> {
  const socket = await openSocket(gate, 'gate', options);
  try {
    const reply = await request<QueryEntryResult>('gate', options, (ms) => socket.timeout(ms).emitWithAck(Route.queryEntry, { uid }));
    if (reply.code !== 200) throw replyError('gate.gateHandler.queryEntry', reply);
    const scheme = new URL(gate).protocol;
    const host = reply.host.includes(':') ? `[${reply.host}]` : reply.host;
    return `${scheme}//${host}:${reply.port}`;
  } finally {
    socket.disconnect();
  }
}

/** A fresh id for an idempotent send (docs/PROTOCOL.md, `clientMsgId`). */
export function newClientMsgId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return typeof c?.randomUUID === 'function' ? c.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
