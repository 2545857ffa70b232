import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import type { ServerInfo } from '../config/server-info';
import type { ErrorCode } from '../errors';
import type { RpcAuth, RpcReply } from '../rpc/rpc-messages';
import { SYSTEM_REMOTE, type MetricsQuery, type MetricsSnapshot, type StatusQuery, type SystemStatus } from './admin-messages';
import { relayCandidates } from './relay-candidates';
import { rpcClientTlsOptions, rpcUrl, type RpcTls } from '../rpc/rpc-tls';

export interface AdminClientOptions {
  /** RPC_SECRET of the cluster. */
  secret: string;
  /** RPC_TLS_* of the cluster, when its internal links are mutual TLS. */
  tls?: RpcTls;
  /** Each server gets this long to connect and answer; then it counts as down. */
  timeoutMs: number;
  /** How this tool introduces itself in the handshake. */
  name?: string;
  /** The whole servers list: a server without an internal port is asked through those it links to. */
  servers?: readonly ServerInfo[];
}

/**
 * A server's answer, or why there is none. `reached`: its RPC port took the connection (it runs).
 * `via`: the server that passed the call on, for a server without an internal port.
 */
export type AdminAnswer<T> =
  | { ok: true; server: ServerInfo; value: T; ms: number; via?: string }
  | { ok: false; server: ServerInfo; reached: boolean; error: string; ms: number; code?: ErrorCode };

/** What the RPC port's auth middleware answers a wrong secret with, in our words. */
const SECRET_REFUSED = 'the server refused our RPC_SECRET';

/**
 * Asks one server's `__system` remote over a short-lived connection that never reconnects, so a
 * stopped server is reported at once (connection refused) and a hung one after `timeoutMs`, never later.
 * A server without an internal port is asked through the servers it has links to (see `askThroughPeers`).
 */
export function askSystem<T>(server: ServerInfo, method: string, args: unknown[], options: AdminClientOptions): Promise<AdminAnswer<T>> {
  if (server.port === undefined) return askThroughPeers<T>(server, method, args, options);
  return askDirect<T>(server, server.port, SYSTEM_REMOTE, method, args, options);
}

/**
 * Calls `service.method(...args)` on one server, as `askSystem` does (operator tools: status,
 * moderation). Only `__system` reaches a server without an internal port (through its peers).
 */
export function askRemote<T>(
  server: ServerInfo,
  service: string,
  method: string,
  args: unknown[],
  options: AdminClientOptions,
): Promise<AdminAnswer<T>> {
  if (service === SYSTEM_REMOTE) return askSystem<T>(server, method, args, options);
  if (server.port === undefined) return Promise.resolve({ ok: false, server, reached: false, error: 'no internal port', ms: 0 });
  return askDirect<T>(server, server.port, service, method, args, options);
}

export function askStatus(server: ServerInfo, query: StatusQuery, options: AdminClientOptions): Promise<AdminAnswer<SystemStatus>> {
  return askSystem<SystemStatus>(server, 'status', [query], options);
}

/** Every metric of `server`, or only `query.names` (cheaper: see ServerMetrics.snapshot). */
export function askMetrics(
  server: ServerInfo,
  options: AdminClientOptions,
  query: MetricsQuery = {},
): Promise<AdminAnswer<MetricsSnapshot>> {
  return askSystem<MetricsSnapshot>(server, 'metrics', [query], options);
}

function askDirect<T>(
  server: ServerInfo,
  port: number,
  service: string,
  method: string,
  args: unknown[],
  options: AdminClientOptions,
): Promise<AdminAnswer<T>> {
  const { secret, tls, timeoutMs, name = 'admin' } = options;
  const started = performance.now();
  const auth: RpcAuth = { secret, serverId: name };
  const socket = io(rpcUrl(server.host, port, tls), {
    transports: ['websocket'],
    auth,
    ...rpcClientTlsOptions(tls),
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

/**
 * A server without an internal port, asked through every server that may have a link from it, all at
 * once (`__system.relay`): the first answer wins. Down when none passes the call on, with the most
 * telling reason; `error` (reached) only when our RPC_SECRET was refused.
 */
function askThroughPeers<T>(server: ServerInfo, method: string, args: unknown[], options: AdminClientOptions): Promise<AdminAnswer<T>> {
  const candidates = relayCandidates(server, options.servers ?? []);
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  const noPort = 'no internal port, and no server has a link from it';
  if (candidates.length === 0) return Promise.resolve({ ok: false, server, reached: false, error: noPort, ms: 0 });
  return new Promise((resolve) => {
    const failures: { peer: ServerInfo; error: string }[] = [];
    let done = false;
    for (const peer of candidates) {
      void askDirect<T>(peer, peer.port!, SYSTEM_REMOTE, 'relay', [server.id, method, args], options).then((answer) => {
        if (done) return;
        if (answer.ok) {
          done = true;
          return resolve({ ok: true, server, value: answer.value, ms: ms(), via: peer.id });
        }
        failures.push({ peer, error: answer.error });
        if (failures.length < candidates.length) return;
        done = true;
        const refused = failures.find((f) => f.error === SECRET_REFUSED);
        if (refused) return resolve({ ok: false, server, reached: true, error: SECRET_REFUSED, ms: ms() });
        // A peer with a link that got no answer says more than peers without one, or down ones.
        const telling = failures.find((f) => !f.error.startsWith('404 ') && f.error !== 'connection refused');
        const error = telling ? `${telling.error} (asked through ${telling.peer.id})` : noPort;
        resolve({ ok: false, server, reached: false, error, ms: ms() });
      });
    }
  });
}

function describeConnectError(err: Error & { description?: unknown }, timeoutMs: number): string {
  // The RPC port's auth middleware refuses with exactly this message.
  if (err.message === 'unauthorized') return SECRET_REFUSED;
  if (err.message === 'timeout') return `no answer within ${timeoutMs} ms`;
  // The websocket transport's error event carries the socket error's message, e.g. "connect ECONNREFUSED 127.0.0.1:4050".
  const cause = err.description as { message?: unknown } | undefined;
  const message = typeof cause?.message === 'string' ? cause.message : err.message;
  return message.includes('ECONNREFUSED') ? 'connection refused' : message;
}
