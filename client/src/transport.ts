/** The wire: the gate's answer (plain HTTP), a connector socket, and requests that never hang. */
import { io, type Socket } from 'socket.io-client';
import { ChatClientError } from './errors.js';
import {
  ENTRY_PATH,
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

/** The gate's `GET /entry` URL for `uid`: http for a ws/http gate, https for wss/https. */
export function entryUrl(gate: string, uid: string): URL {
  const url = new URL(ENTRY_PATH, gate);
  url.protocol = url.protocol === 'wss:' || url.protocol === 'https:' ? 'https:' : 'http:';
  url.searchParams.set('uid', uid);
  return url;
}

/**
 * Asks the gate which connector serves `uid` (`GET /entry`, plain HTTP: no socket.io handshake), and
 * returns that connector's URL (same scheme as the gate's). Unreachable, or no answer within
 * connectTimeoutMs + requestTimeoutMs, rejects without `code`; a refusal carries the gate's code and reason.
 */
export async function queryEntry(gate: string, uid: string, options: TransportOptions): Promise<string> {
  const url = entryUrl(gate, uid);
  const timeoutMs = options.connectTimeoutMs + options.requestTimeoutMs;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let reply: Reply<QueryEntryResult> | undefined;
  let status: number;
  try {
    const response = await fetch(url, { signal: controller.signal });
    status = response.status;
    reply = (await response.json().catch(() => undefined)) as Reply<QueryEntryResult> | undefined;
  } catch (err) {
    if (controller.signal.aborted) throw new ChatClientError(`the gate did not answer within ${timeoutMs} ms`);
    throw new ChatClientError(`cannot reach the gate at ${gate}: ${errorText(err)}`);
  } finally {
    clearTimeout(timer);
  }
  // Not the gate's JSON: something else on that port, or a proxy's own error page.
  if (typeof reply?.code !== 'number')
    throw new ChatClientError(`${url.origin} answered HTTP ${status} to GET ${ENTRY_PATH}, not a gate's answer`, status);
  if (reply.code !== 200) throw replyError(`the gate (GET ${ENTRY_PATH})`, reply);
  const scheme = new URL(gate).protocol;
  const host = reply.host.includes(':') ? `[${reply.host}]` : reply.host;
  return `${scheme}//${host}:${reply.port}`;
}

/** fetch's own message is "fetch failed": the cause says why (ECONNREFUSED, a bad certificate...). */
function errorText(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown } } | undefined)?.cause?.message;
  const message = err instanceof Error ? err.message : String(err);
  return typeof cause === 'string' ? `${message} (${cause})` : message;
}

/** A fresh id for an idempotent send (docs/PROTOCOL.md, `clientMsgId`). */
export function newClientMsgId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return typeof c?.randomUUID === 'function' ? c.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
