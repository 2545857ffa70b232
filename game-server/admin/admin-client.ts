import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import type { ServerInfo } from '../config/server-info';
import type { ErrorCode } from '../errors';
import type { RpcAuth, RpcReply } from '../rpc/rpc-messages';
import { SYSTEM_REMOTE, type MetricsSnapshot, type StatusQuery, type SystemStatus } from './admin-messages';

export interface AdminClientOptions {
  /** RPC_SECRET of the cluster. */
  secret: string;
  /** Each server gets this long to connect and answer; then it counts as down. */
  timeoutMs: number;
  /** How this tool introduces itself in the handshake. */
  name?: string;
}

/** A server's answer, or why there is none. `reached`: its RPC port took the connection (it runs). */
export type AdminAnswer<T> =
  | { ok: true; server: ServerInfo; value: T; ms: number }
  | { ok: false; server: ServerInfo; reached: boolean; error: string; ms: number; code?: ErrorCode };

/**
 * Asks one server's `__system` remote over a short-lived connection that never reconnects, so a
 * stopped server is reported at once (connection refused) and a hung one after `timeoutMs`, never later.
 */
export function askSystem<T>(server: ServerInfo, method: string, args: unknown[], options: AdminClientOptions): Promise<AdminAnswer<T>> {
  return askRemote<T>(server, SYSTEM_REMOTE, method, args, options);
}

/** Calls `service.method(...args)` on one server, as `askSystem` does (operator tools: status, moderation). */
export function askRemote<T>(
  server: ServerInfo,
  service: string,
  method: string,
  args: unknown[],
  options: AdminClientOptions,
): Promise<AdminAnswer<T>> {
  const { secret, timeoutMs, name = 'admin' } = options;
  const started = performance.now();
  const auth: RpcAuth = { secret, serverId: name };
  const socket = io(`http://${server.host}:${server.port}`, {
    transports: ['websocket'],
    auth,
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
  });
  return new Promise((resolve) => {
    let reached = false;
    const finish = (answer: { ok: true; value: T } | { ok: false; error: string; code?: ErrorCode }): void => {
      clearTimeout(timer);
      socket.off();
      socket.disconnect();
      const ms = Math.round(performance.now() - started);
      resolve(answer.ok ? { ...answer, server, ms } : { ...answer, server, reached, ms });
    };
    const timer = setTimeout(() => finish({ ok: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on('connect_error', (err) => {
      // A refused secret still means the process is up and listening.
      if (err.message === 'unauthorized') reached = true;
      finish({ ok: false, error: describeConnectError(err, timeoutMs) });
    });
    socket.on('connect', () => {
      reached = true;
      socket.emit('call', { service, method, args }, (reply: RpcReply) => {
        if (reply.ok) finish({ ok: true, value: reply.value as T });
        else finish({ ok: false, error: `${reply.code} ${reply.error}`, code: reply.code });
      });
    });
  });
}

export function askStatus(server: ServerInfo, query: StatusQuery, options: AdminClientOptions): Promise<AdminAnswer<SystemStatus>> {
  return askSystem<SystemStatus>(server, 'status', [query], options);
}

export function askMetrics(server: ServerInfo, options: AdminClientOptions): Promise<AdminAnswer<MetricsSnapshot>> {
  return askSystem<MetricsSnapshot>(server, 'metrics', [], options);
}

function describeConnectError(err: Error & { description?: unknown }, timeoutMs: number): string {
  // The RPC port's auth middleware refuses with exactly this message.
  if (err.message === 'unauthorized') return 'the server refused our RPC_SECRET';
  if (err.message === 'timeout') return `no answer within ${timeoutMs} ms`;
  // The websocket transport's error event carries the socket error's message, e.g. "connect ECONNREFUSED 127.0.0.1:4050".
  const cause = err.description as { message?: unknown } | undefined;
  const message = typeof cause?.message === 'string' ? cause.message : err.message;
  return message.includes('ECONNREFUSED') ? 'connection refused' : message;
}
