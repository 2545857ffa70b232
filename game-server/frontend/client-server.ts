import type { Socket as NetSocket } from 'node:net';
import { createServer, type Server as HttpServer } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { ErrorResponse } from '../errors';
import type { Logger } from '../logger';
import { closeHttp } from '../net/close-http';
import { listen } from '../net/listen';
import { trackConnections } from '../net/track-connections';
import type { ClientRequest } from '../pipeline/pipeline';
import { hopNow, HopSampler } from '../metrics/hop-trace';
import type { ClientResponse, PushMessage } from '../rpc/rpc-messages';
import type { RuntimeSettings } from '../settings';
import { channelRoom } from './frontend-session';
import { corsOrigin, type HttpGetRoutes } from './http-get-routes';
import { destroyConnection, outgoingBytes } from './outgoing-buffer';
import { PushWriter } from './push-writer';
import { trimHandshake } from './trim-handshake';
import { releaseUpgradeRequest } from './upgrade-request';
import type { SessionService } from './session-service';

/** Runs one client request to its response (rate limit included: see game-server/pipeline/); never throws. */
export type ClientRequestRunner = (request: ClientRequest) => Promise<ClientResponse>;

export interface ClientServerOptions {
  host: string;
  port: number;
  settings: RuntimeSettings;
  sessions: SessionService;
  run: ClientRequestRunner;
  /** Plain HTTP GET routes served beside socket.io on the same port; any other request is 404. */
  httpRoutes?: HttpGetRoutes;
  log: Logger;
}

const SLOW_CLIENT_CHECK_MS = 500;

/** Distinct rejection causes logged per connection; past that a noisy client is not worth more lines. */
const LOGGED_CAUSES_PER_SOCKET = 8;

/** The socket.io server's options for client connections (also what bench/micro/connection-heap.js compares against). */
export function socketIoOptions(settings: RuntimeSettings): Partial<ServerOptions> {
  return {
    perMessageDeflate: false,
    httpCompression: false,
    serveClient: false,
    maxHttpBufferSize: settings.CLIENT_MAX_FRAME_BYTES,
    pingInterval: settings.CLIENT_PING_INTERVAL_MS,
    pingTimeout: settings.CLIENT_PING_TIMEOUT_MS,
    cors: { origin: corsOrigin(settings) },
  };
}

/**
 * The socket.io server clients connect to: one session per socket, every event a request, a token
 * bucket per socket, and clients that stop reading dropped before their buffers grow without bound.
 */
export class ClientServer {
  private http?: HttpServer;
  private connections = new Set<NetSocket>();
  private io?: Server;
  private sweep?: NodeJS.Timeout;
  private readonly writer = new PushWriter();
  private readonly sampler: HopSampler;
  /** Rejection causes already logged, per socket; made at a socket's first rejection (most never have one). */
  private readonly loggedCauses = new WeakMap<Socket, Set<string>>();

  constructor(private readonly options: ClientServerOptions) {
    this.sampler = new HopSampler(options.settings.HOP_SAMPLE_EVERY);
  }

  async start(): Promise<void> {
    const { host, port, settings } = this.options;
    const http = createServer(this.options.httpRoutes?.serve ?? ((_req, res) => res.writeHead(404).end()));
    const io = new Server(http, socketIoOptions(settings));
    // The upgrade request (headers, socket, parser state) is not needed once the connection is open:
    // dropping it saves several KiB per client (socket.io's performance guide). `handshake.address` stays.
    io.engine.on('connection', releaseUpgradeRequest);
    io.on('connection', (socket) => this.accept(socket));
    this.connections = trackConnections(http);
    await listen(http, port, host);
    this.http = http;
    this.io = io;
    this.sweep = setInterval(() => this.dropSlowClients(), SLOW_CLIENT_CHECK_MS).unref();
  }

  private accept(socket: Socket): void {
    const { sessions, run } = this.options;
    // Pushes find sockets through sessions and channel rooms, never through the room socket.io puts
    // each socket in under its own id: leaving it saves two Sets and two map entries per connection.
    void socket.leave(socket.id);
    trimHandshake(socket);
    const session = sessions.create(socket);
    const answer = (route: unknown, ack: (response: ClientResponse) => void, response: ClientResponse): void => {
      if (response.code >= 400 && response.code < 500) this.logRejection(socket, route, response as ErrorResponse);
      ack(response);
    };
    socket.onAny((route: unknown, ...args: unknown[]) => {
      const ack = args[args.length - 1];
      // Without an acknowledgement there is nowhere to answer: the pipeline drops it (see unansweredStep).
      const answered = typeof ack === 'function';
      const body = args.length > (answered ? 1 : 0) ? args[0] : undefined;
      // A route that is not a string is 404 in the pipeline (routeAllowStep).
      const trace = this.sampler.sample() ? { frontendId: session.frontendId, receivedAt: hopNow() } : undefined;
      void run({ route: route as string, body, session, answered, redirected: false, trace }).then((response) => {
        if (answered) answer(route, ack as (response: ClientResponse) => void, response);
      });
    });
    socket.on('disconnect', () => sessions.close(session));
  }

  /** One line per cause per connection, so a flood of bad input costs one log line, not thousands. */
  private logRejection(socket: Socket, route: unknown, { code, error }: ErrorResponse): void {
    const cause = `${code} ${error}`;
    let logged = this.loggedCauses.get(socket);
    if (!logged) this.loggedCauses.set(socket, (logged = new Set()));
    if (logged.has(cause) || logged.size >= LOGGED_CAUSES_PER_SOCKET) return;
    logged.add(cause);
    this.options.log.warn(
      { sid: socket.id, address: socket.handshake.address, route: String(route).slice(0, 80), code, error },
      'rejected a client request',
    );
  }

  private dropSlowClients(): void {
    if (!this.io) return;
    const limit = this.options.settings.CLIENT_MAX_BUFFERED_BYTES;
    for (const socket of this.io.sockets.sockets.values()) {
      const queued = outgoingBytes(socket);
      if (queued <= limit) continue;
      this.options.log.warn({ sid: socket.id, queued, limit }, 'dropped a client that stopped reading');
      destroyConnection(socket);
    }
  }

  /** Delivers a push from a backend to this server's sockets, encoding it once; returns how many sockets it reached. */
  push({ route, msg, channel, uids, except, exceptSid }: PushMessage): number {
    if (!this.io) return 0;
    const { sessions } = this.options;
    const sockets = this.io.sockets.sockets;
    // Most pushes (a room's broadcast) leave nobody out: no set is made for them.
    let skipped: Set<string> | undefined;
    if (except !== undefined) {
      skipped = new Set();
      for (const session of sessions.sessionsOf(except)) skipped.add(session.id);
    }
    let sids: Iterable<string> | undefined;
    if (channel !== undefined) sids = this.io.sockets.adapter.rooms.get(channelRoom(channel));
    else if (uids !== undefined) {
      const listed = new Set<string>();
      for (const uid of uids) for (const session of sessions.sessionsOf(uid)) listed.add(session.id);
      sids = listed;
    }
    let frame: Buffer | undefined;
    let recipients = 0;
    for (const sid of sids ?? []) {
      const socket = sid === exceptSid || skipped?.has(sid) ? undefined : sockets.get(sid);
      if (!socket) continue;
      frame ??= PushWriter.encode(route, msg);
      this.writer.write(socket, frame, route, msg);
      recipients++;
    }
    return recipients;
  }

  /** Calls `done` with the time the pushes delivered so far are written to their sockets (now, if none waits). */
  afterWrite(done: (writtenAt: number) => void): void {
    this.writer.afterWrite(done);
  }

  /** Stops accepting clients and disconnects the ones left (their sessions close as usual). */
  async stop(): Promise<void> {
    clearInterval(this.sweep);
    if (!this.http || !this.io) return;
    this.io.disconnectSockets(true);
    await closeHttp(this.http, this.io, this.connections);
  }
}
