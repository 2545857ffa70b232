import type { Socket as NetSocket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { Server, type Socket } from 'socket.io';
import { AppError, Code } from '../errors';
import type { Logger } from '../logger';
import { batchStampOf, hopNow } from '../metrics/hop-trace';
import type {
  ClientResponse,
  ForwardedRequest,
  PushBatchStamp,
  PushMessage,
  RemoteCall,
  RpcPeerEvents,
  RpcReply,
  RpcServerEvents,
} from './rpc-messages';
import { closeHttp } from '../net/close-http';
import { listen } from '../net/listen';
import { trackConnections } from '../net/track-connections';
import { coalesceFlushes, serverTransport } from './coalesce-flushes';
import { rpcHttpServer, type RpcTls } from './rpc-tls';

/** What the RPC port hands incoming frames to. */
export interface RpcDispatcher {
  call(call: RemoteCall): Promise<RpcReply>;
  forward(request: ForwardedRequest): Promise<ClientResponse>;
  push(push: PushMessage): void;
  /** A batch of pushes is about to be delivered (`push` for each). */
  beforePushes?(): void;
  /** A batch of pushes was delivered (`push` for each): its stamp, and when it was read here. */
  pushed?(stamp: PushBatchStamp, arrivedAt: number): void;
  /** A peer opened a link to this port (it is running, whatever our own link to it says). */
  peerLinked?(serverId: string): void;
}

export interface RpcServerOptions {
  host: string;
  port: number;
  secret: string;
  /** Mutual TLS: only peers with a certificate from `tls.ca` get past the handshake. None: plain ws. */
  tls?: RpcTls;
  /** The heartbeat of links to this port: a peer that stops answering (frozen, its network gone) is down after interval + timeout. */
  ping?: { intervalMs: number; timeoutMs: number };
  log: Logger;
  dispatcher: RpcDispatcher;
}

/** A server's internal port: accepts only peers presenting the shared secret (and, with TLS, a certificate of our CA). */
export class RpcServer {
  private http?: HttpServer;
  private connections = new Set<NetSocket>();
  private io?: Server<RpcServerEvents, RpcPeerEvents>;
  /** The link each peer opened to this port, by the server id it presented. */
  private readonly peers = new Map<string, Socket<RpcServerEvents, RpcPeerEvents>>();

  constructor(private readonly options: RpcServerOptions) {}

  async start(): Promise<void> {
    const { host, port, secret, tls, ping, log, dispatcher } = this.options;
    const http = rpcHttpServer(tls, log);
    const io = new Server<RpcServerEvents, RpcPeerEvents>(http, {
      transports: ['websocket'],
      perMessageDeflate: false,
      httpCompression: false,
      serveClient: false,
      maxHttpBufferSize: 64 * 1024 * 1024,
      ...(ping && { pingInterval: ping.intervalMs, pingTimeout: ping.timeoutMs }),
    });
    const expected = Buffer.from(secret);
    io.use((socket, next) => {
      const auth = socket.handshake.auth as { secret?: unknown; serverId?: unknown };
      const given = Buffer.from(typeof auth.secret === 'string' ? auth.secret : '');
      if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
      log.warn({ from: socket.handshake.address }, 'refused an RPC peer without the right secret');
      next(new Error('unauthorized'));
    });
    io.on('connection', (socket) => {
      const { transport, tcp } = serverTransport(socket);
      coalesceFlushes(transport, 'send', tcp);
      const { serverId } = socket.handshake.auth as { serverId?: unknown };
      if (typeof serverId === 'string') {
        this.peers.set(serverId, socket);
        dispatcher.peerLinked?.(serverId);
        socket.once('disconnect', () => {
          if (this.peers.get(serverId) === socket) this.peers.delete(serverId);
        });
      }
      socket.on('call', (call, ack) => {
        if (typeof ack === 'function') void dispatcher.call(call).then(ack);
      });
      socket.on('forward', (request, ack) => {
        if (typeof ack === 'function') void dispatcher.forward(request).then(ack);
      });
      socket.on('push', (pushes, stampValue) => {
        if (!Array.isArray(pushes)) return;
        const stamp = dispatcher.pushed && batchStampOf(stampValue);
        const arrivedAt = stamp ? hopNow() : 0;
        dispatcher.beforePushes?.();
        for (const push of pushes) dispatcher.push(push);
        if (stamp) dispatcher.pushed?.(stamp, arrivedAt);
      });
    });
    this.connections = trackConnections(http);
    await listen(http, port, host);
    this.http = http;
    this.io = io;
  }

  /**
   * Calls a remote on a peer over the link the peer opened to this port: the way to a server that
   * has no internal port of its own. 404 when that peer has no link here, 503 when it does not answer.
   */
  async callPeer(peerId: string, call: RemoteCall, timeoutMs: number): Promise<unknown> {
    const socket = this.peers.get(peerId);
    if (!socket) throw new AppError(Code.NOT_FOUND, `${peerId} has no link to this server`);
    let reply: RpcReply;
    try {
      reply = await socket.timeout(timeoutMs).emitWithAck('call', call);
    } catch {
      throw new AppError(Code.UNAVAILABLE, `${peerId} did not answer within ${timeoutMs} ms`);
    }
    if (!reply.ok) throw new AppError(reply.code, reply.error);
    return reply.value;
  }

  async stop(): Promise<void> {
    if (!this.http || !this.io) return;
    this.io.disconnectSockets(true);
    await closeHttp(this.http, this.io, this.connections);
  }
}
