import { EventEmitter } from 'node:events';
import { io, type Socket } from 'socket.io-client';
import { AppError, Code } from '../errors';
import type { Logger } from '../logger';
import type { ServerInfo } from '../config/server-info';
import { hopNow } from '../metrics/hop-trace';
import type {
  ClientResponse,
  ForwardedRequest,
  HopTrace,
  LinkState,
  PushMessage,
  RemoteCall,
  RpcAuth,
  RpcPeerEvents,
  RpcReply,
  RpcServerEvents,
} from './rpc-messages';
import { clientTransport, coalesceFlushes } from './coalesce-flushes';
import { linkParser } from './link-parser';
import { TurnCorks } from '../net/turn-corks';
import { rpcClientTlsOptions, rpcUrl, type RpcTls } from './rpc-tls';

const STARTUP_GRACE_MS = 3000;
/** Pushes held per peer while its first link is being made; beyond this they are dropped. */
export const MAX_HELD_PUSHES = 10_000;

type PeerSocket = Socket<RpcPeerEvents, RpcServerEvents>;

export interface RpcClientOptions {
  selfId: string;
  secret: string;
  /** Mutual TLS on every link (our certificate, the peers' CA). None: plain ws. */
  tls?: RpcTls;
  timeoutMs: number;
  log: Logger;
  /** How long a peer never reached yet counts as starting rather than down (default 3 s). */
  startupGraceMs?: number;
  /** Answers calls a peer sends back down our link to it (see RpcPeerEvents); without it they are refused. */
  answer?: (call: RemoteCall) => Promise<RpcReply>;
}

interface RpcClientEvents {
  linkUp: [server: ServerInfo];
  linkDown: [server: ServerInfo];
}

/**
 * One persistent socket.io link per peer server, opened on first use (or by `connect`) and kept,
 * reconnecting on its own. Every call has a timeout and fails with 503, never hangs.
 */
export class RpcClient extends EventEmitter<RpcClientEvents> {
  private readonly links = new Map<string, { server: ServerInfo; socket: PeerSocket }>();
  /** Peers whose link failed or dropped and has not come back; a link never tried is not down. */
  private readonly down = new Set<string>();
  private stopped = false;
  private readonly pushBatches = new Map<PeerSocket, PushMessage[]>();
  /** The trace of each batch's first traced push (see game-server/metrics/hop-trace.ts). */
  private readonly batchTraces = new Map<PeerSocket, HopTrace>();
  /** Pushes to peers still starting (link never up, not down yet), sent when the link comes up. */
  private readonly held = new Map<string, PushMessage[]>();
  /** When a peer counted as down linked to us again: it is starting again (see peerLinked). */
  private readonly restartedAt = new Map<string, number>();
  private readonly corks = new TurnCorks();

  constructor(private readonly options: RpcClientOptions) {
    super();
  }

  /** Opens (or returns) the link to `server`; 503 for a server without an internal port. */
  connect(server: ServerInfo): PeerSocket {
    const existing = this.links.get(server.id);
    if (existing) return existing.socket;
    if (server.port === undefined) throw new AppError(Code.UNAVAILABLE, `${server.serverType} server ${server.id} has no internal port`);
    const { selfId, secret, tls, log, answer } = this.options;
    const auth: RpcAuth = { secret, serverId: selfId };
    const socket: PeerSocket = io(rpcUrl(server.host, server.port, tls), {
      transports: ['websocket'],
      auth,
      ...rpcClientTlsOptions(tls),
      reconnectionDelay: 100,
      // A restarted peer is found again within half a second.
      reconnectionDelayMax: 500,
      randomizationFactor: 0.2,
      // Push batches are encoded without socket.io's search for binary (see link-parser.ts).
      parser: linkParser,
    });
    socket.on('call', (call, ack) => {
      if (typeof ack !== 'function') return;
      if (answer) void answer(call).then(ack);
      else ack({ ok: false, code: Code.FORBIDDEN, error: 'this server answers no calls on its own links' });
    });
    let wasUp = false;
    let waitingLogged = false;
    const openedAt = Date.now();
    socket.on('connect', () => {
      const { transport, tcp } = clientTransport(socket);
      coalesceFlushes(transport, 'write', tcp);
      wasUp = true;
      this.down.delete(server.id);
      this.restartedAt.delete(server.id);
      const held = this.held.get(server.id);
      this.held.delete(server.id);
      if (held) socket.emit('push', held);
      log.info({ peer: server.id }, 'link up');
      this.emit('linkUp', server);
    });
    socket.on('disconnect', (reason) => {
      if (this.stopped) return;
      this.markDown(server.id);
      log.warn({ peer: server.id, reason }, 'link down');
      this.emit('linkDown', server);
      // A peer that stops cleanly (pm2 restart, SIGTERM) closes our socket from its side, and socket.io-client
      // never reconnects after that on its own: without this, pushes to a restarted connector stayed dropped.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', (err) => {
      // Peers start in any order: a peer not reached yet (or restarted, see peerLinked) is only down once
      // the start-up grace is over.
      const startedAt = this.restartedAt.get(server.id) ?? (wasUp ? 0 : openedAt);
      if (Date.now() - startedAt > this.startupGraceMs) this.markDown(server.id);
      // One line when a link first fails, not one per reconnection attempt.
      if (wasUp || waitingLogged || !socket.active) return;
      waitingLogged = true;
      log.info({ peer: server.id, error: err.message }, 'link waiting for peer');
    });
    this.links.set(server.id, { server, socket });
    return socket;
  }

  isUp(serverId: string): boolean {
    return this.links.get(serverId)?.socket.connected ?? false;
  }

  /**
   * A peer opened a link to our port. If ours to it is down, the peer has restarted and our link is
   * waiting out its reconnection delay: pushes to it are held again, as for a peer still starting,
   * instead of dropped until our link is back (its first members would have had to catch up at once).
   */
  peerLinked(serverId: string): void {
    if (!this.down.delete(serverId)) return;
    this.restartedAt.set(serverId, Date.now());
  }

  private get startupGraceMs(): number {
    return this.options.startupGraceMs ?? STARTUP_GRACE_MS;
  }

  /** Every link this server keeps, by peer id. */
  linkStates(): Record<string, LinkState> {
    const states: Record<string, LinkState> = {};
    for (const [id, { socket }] of this.links) states[id] = socket.connected ? 'up' : this.down.has(id) ? 'down' : 'starting';
    return states;
  }

  /** True when the link to `serverId` failed or dropped and has not come back yet. */
  isDown(serverId: string): boolean {
    return this.down.has(serverId);
  }

  /** Calls `service.method(...args)` on `server`; the remote's AppError comes back as an AppError. */
  async call(server: ServerInfo, call: RemoteCall, timeoutMs = this.options.timeoutMs): Promise<unknown> {
    const reply = await this.request<RpcReply>(server, 'call', call, timeoutMs);
    if (!reply.ok) throw new AppError(reply.code, reply.error);
    return reply.value;
  }

  /**
   * Sends now the calls and forwards held for the end of this turn. A frontend calls it before it writes a
   * push batch to its clients, the longest work of a turn: the requests it read before leave first.
   */
  sendHeldRequests(): void {
    this.corks.flush();
  }

  /** Carries a client request to the backend that serves its route. */
  forward(server: ServerInfo, request: ForwardedRequest): Promise<ClientResponse> {
    return this.request<ClientResponse>(server, 'forward', request);
  }

  private async request<R>(
    server: ServerInfo,
    event: 'call' | 'forward',
    payload: RemoteCall | ForwardedRequest,
    timeoutMs = this.options.timeoutMs,
  ): Promise<R> {
    const deadline = Date.now() + timeoutMs;
    const socket: Socket = await this.ready(server, deadline, timeoutMs);
    // The requests of one turn (a connector forwards every client frame it read in it) leave in one write.
    const { tcp } = clientTransport(socket);
    if (tcp && !tcp.destroyed) this.corks.hold(tcp);
    try {
      return (await socket.timeout(Math.max(1, deadline - Date.now())).emitWithAck(event, payload)) as R;
    } catch {
      throw unavailable(server, timeoutMs);
    }
  }

  /**
   * Fire-and-forget push; dropped (and reported false) while the link is down. A peer still starting
   * (never reached, start-up grace not over) gets its pushes when the link comes up, up to
   * MAX_HELD_PUSHES. The pushes to one peer in one turn of the event loop travel as one frame (a chat
   * server answering a burst of messages sends each connector one frame, not one per message). The
   * frame carries the time it left, and `trace` if it is the first traced push of the batch.
   */
  push(server: ServerInfo, push: PushMessage, trace?: HopTrace): boolean {
    if (server.port === undefined) return false;
    const socket = this.connect(server);
    if (!socket.connected) return this.hold(server.id, push);
    if (trace && !this.batchTraces.has(socket)) this.batchTraces.set(socket, trace);
    const batch = this.pushBatches.get(socket);
    if (batch) batch.push(push);
    else {
      this.pushBatches.set(socket, [push]);
      if (this.pushBatches.size === 1) setImmediate(() => this.flushPushes());
    }
    return true;
  }

  private flushPushes(): void {
    const sentAt = hopNow();
    let traced: Set<HopTrace> | undefined;
    for (const [socket, pushes] of this.pushBatches) {
      if (!socket.connected) continue;
      const trace = this.batchTraces.get(socket);
      socket.emit('push', pushes, trace ? { sentAt, trace } : { sentAt });
      if (trace) (traced ??= new Set()).add(trace);
    }
    this.pushBatches.clear();
    this.batchTraces.clear();
    // Once per traced message, however many frontends its batches went to.
    if (traced) for (const trace of traced) this.tracedPushSent(trace, sentAt);
  }

  /** A traced message's pushes left at `sentAt` (the metered client observes it). */
  protected tracedPushSent(_trace: HopTrace, _sentAt: number): void {}

  private hold(serverId: string, push: PushMessage): boolean {
    if (this.down.has(serverId)) return false;
    let held = this.held.get(serverId);
    if (!held) this.held.set(serverId, (held = []));
    if (held.length >= MAX_HELD_PUSHES) return false;
    held.push(push);
    return true;
  }

  private markDown(serverId: string): void {
    this.down.add(serverId);
    this.held.delete(serverId);
    this.restartedAt.delete(serverId);
  }

  /** Closes every link. */
  close(): void {
    this.stopped = true;
    for (const { socket } of this.links.values()) socket.disconnect();
    this.links.clear();
    this.held.clear();
  }

  /** Closes the link to a server that left the cluster. */
  drop(serverId: string): void {
    this.links.get(serverId)?.socket.disconnect();
    this.links.delete(serverId);
    this.down.delete(serverId);
    this.held.delete(serverId);
    this.restartedAt.delete(serverId);
  }

  private ready(server: ServerInfo, deadline: number, timeoutMs = this.options.timeoutMs): Promise<PeerSocket> {
    const socket = this.connect(server);
    if (socket.connected) return Promise.resolve(socket);
    // Wait for the link (a restarting peer is usually back in well under the timeout), never past it.
    return new Promise((resolve, reject) => {
      const onConnect = (): void => {
        clearTimeout(timer);
        resolve(socket);
      };
      const timer = setTimeout(
        () => {
          socket.off('connect', onConnect);
          reject(unavailable(server, timeoutMs));
        },
        Math.max(1, deadline - Date.now()),
      );
      socket.once('connect', onConnect);
    });
  }
}

function unavailable(server: ServerInfo, timeoutMs: number): AppError {
  return new AppError(Code.UNAVAILABLE, `${server.serverType} server ${server.id} did not answer within ${timeoutMs} ms`);
}
