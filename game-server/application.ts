import { SYSTEM_REMOTE, type StatusProvider } from './admin/admin-messages';
import { StatusBoard } from './admin/status-board';
import { createSystemRemote } from './admin/system-remote';
import type { ServerInfo, ServerMap } from './config/server-info';
import { AppError, Code } from './errors';
import { ClientServer } from './frontend/client-server';
import { HttpGetRoutes, type HttpGetHandler } from './frontend/http-get-routes';
import { sessionFromSnapshot, type Session } from './frontend/session';
import { SessionService } from './frontend/session-service';
import type { RemoteImpl, RemoteToken } from './contract/remote-token';
import type { RouteDef, RouteHandler } from './contract/route-def';
import { Registry, type Handler, type RemoteMethod } from './handler-registry';
import type { ClientRequest, RequestRunner } from './pipeline/pipeline';
import { requestPaths } from './pipeline/request-paths';
import { RemoteDispatcher } from './remote-dispatcher';
import type { Logger } from './logger';
import { MeteredRpcClient } from './metrics/metered-rpc-client';
import { ServerMetrics } from './metrics/server-metrics';
import { defaultRoute, type RouteFunction } from './router/router';
import { RpcClient } from './rpc/rpc-client';
import { HOPS, hopTraceOf } from './metrics/hop-trace';
import type { HopTrace, PushBatchStamp, PushMessage } from './rpc/rpc-messages';
import { RpcServer } from './rpc/rpc-server';
import { remoteCaller, type RemoteCaller } from './rpc/remote-caller';
import { ChannelService } from './services/channel-service';
import { ServerDirectory, type ServersChange } from './server-directory';
import type { RuntimeSettings } from './settings';

type LifecycleHook = () => Promise<void> | void;
/** See `Application.beforeForward`. */
export type ForwardCheck = (request: ClientRequest) => Promise<void> | void;
type ServersChangedHook = (previous: ServerMap, current: ServerMap) => Promise<void> | void;

/** One server of the cluster: its config, registries and the components it starts and stops. */
export class Application {
  readonly handlers = new Registry<Handler>('route');
  readonly remotes: Registry<RemoteMethod>;
  private readonly remoteDispatcher: RemoteDispatcher;
  readonly sessions: SessionService;
  readonly channels: ChannelService;
  readonly rpcClient: RpcClient;
  /** This server's Prometheus registry; the application may add its own gauges (`metrics.gauge`). */
  readonly metrics: ServerMetrics;
  private readonly statusBoard: StatusBoard;
  private readonly routes = new Map<string, RouteFunction>();
  private readonly forwardChecks: ForwardCheck[] = [];
  /** None on a server without an internal `port` (a gate, say): it only opens links of its own. */
  private readonly rpcServer?: RpcServer;
  private readonly clientServer?: ClientServer;
  private readonly httpRoutes?: HttpGetRoutes;
  private readonly startHooks: LifecycleHook[] = [];
  private readonly stopHooks: LifecycleHook[] = [];
  private readonly linkedTypes = new Set<string>();
  /** The servers list: by type and id, ever seen, up or down, reloads. */
  readonly directory: ServerDirectory;
  private clientRoutes?: ReadonlySet<string>;
  /** A client's request on this frontend, and one a frontend forwarded here: see game-server/pipeline/. */
  private readonly requests: { client: RequestRunner; forwarded: RequestRunner };

  constructor(
    readonly info: ServerInfo,
    servers: ServerMap,
    readonly settings: RuntimeSettings,
    readonly log: Logger,
    /** Reads the servers list again (config/servers.json), for `reloadServers`. */
    loadServers: () => ServerMap = () => servers,
  ) {
    this.directory = new ServerDirectory(servers, loadServers, (id) => !this.rpcClient.isDown(id));
    // Links first (open to new peers, close to removed ones), then the application's hooks.
    this.directory.onChanged((_previous, _current, { added, removed }) => {
      for (const id of removed) if (id !== this.serverId) this.rpcClient.drop(id);
      this.connectPeers();
      this.log.info({ added, removed }, 'servers list reloaded');
    });
    this.sessions = new SessionService(info.id);
    this.metrics = new ServerMetrics(info, info.frontend ? this.sessions : undefined);
    this.statusBoard = new StatusBoard(info, info.frontend ? this.sessions : undefined, this.metrics, () => this.rpcClient.linkStates());
    this.remoteDispatcher = new RemoteDispatcher(log, this.metrics, (serverId, call) =>
      this.rpcClient.call(this.knownServer(serverId), call),
    );
    this.remotes = this.remoteDispatcher.remotes;
    this.remoteDispatcher.register(SYSTEM_REMOTE, createSystemRemote(this.statusBoard, this.metrics, this));
    this.rpcClient = new MeteredRpcClient(this.metrics, {
      selfId: info.id,
      secret: settings.RPC_SECRET,
      tls: settings.rpcTls,
      timeoutMs: settings.RPC_TIMEOUT_MS,
      log,
      answer: (call) => this.remoteDispatcher.answerPeer(call),
    });
    this.requests = requestPaths({
      serverType: info.serverType,
      settings,
      log,
      metrics: this.metrics,
      handlers: this.handlers,
      allowed: () => this.clientRoutes,
      backends: {
        serversOfType: (serverType) => (this.directory.hasType(serverType) ? this.directory.byType(serverType) : undefined),
        pick: (serverType, session, body) => this.pickServer(serverType, session, body),
        check: (request) => this.checkForward(request),
        forward: (server, request) => this.rpcClient.forward(server, request),
      },
      byId: (id) => this.directory.byId(id),
    });
    this.channels = new ChannelService({ pushToFrontend: (id, message, trace) => this.pushToFrontend(id, message, trace) });
    if (info.port !== undefined) {
      this.rpcServer = new RpcServer({
        host: info.host,
        port: info.port,
        secret: settings.RPC_SECRET,
        tls: settings.rpcTls,
        ping: { intervalMs: settings.RPC_PING_INTERVAL_MS, timeoutMs: settings.RPC_PING_TIMEOUT_MS },
        log,
        dispatcher: {
          call: (call) => this.remoteDispatcher.run(call),
          forward: ({ route, body, session, redirected = false, trace }) =>
            this.requests.forwarded({
              route,
              body,
              session: sessionFromSnapshot(session),
              answered: true,
              redirected,
              trace: trace === undefined ? undefined : hopTraceOf(trace),
            }),
          push: (push) => this.deliverPush(push),
          // The client requests read before this batch go to the backends before it is written to clients.
          beforePushes: () => this.rpcClient.sendHeldRequests(),
          pushed: (stamp, arrivedAt) => this.pushBatchHops(stamp, arrivedAt),
          peerLinked: (serverId) => this.rpcClient.peerLinked(serverId),
        },
      });
    }
    if (info.frontend && info.clientPort !== undefined) {
      this.httpRoutes = new HttpGetRoutes(settings, log, this.metrics);
      this.clientServer = new ClientServer({
        httpRoutes: this.httpRoutes,
        host: info.host,
        port: info.clientPort,
        settings,
        sessions: this.sessions,
        run: this.requests.client,
        log,
      });
    }
  }

  get serverId(): string {
    return this.info.id;
  }

  get serverType(): string {
    return this.info.serverType;
  }

  /** Runs `setup` only on servers of `serverType`, as Pomelo's `app.configure(env, type, fn)`. */
  configure(serverType: string, setup: (app: this) => void): void {
    if (serverType === this.serverType) setup(this);
  }

  getServersByType(serverType: string): readonly ServerInfo[] {
    return this.directory.byType(serverType);
  }

  getServerById(id: string): ServerInfo | undefined {
    return this.directory.byId(id);
  }

  /** The server `id` of the current list, or 503 (it left, or never was). */
  private knownServer(id: string): ServerInfo {
    const server = this.getServerById(id);
    if (!server) throw new AppError(Code.UNAVAILABLE, `no server ${id}`);
    return server;
  }

  allServers(): ServerInfo[] {
    return this.directory.all();
  }

  /** Servers of `serverType` in this or any earlier version of the list (removed ones included). */
  getServersEverSeen(serverType: string): ServerInfo[] {
    return this.directory.everSeenOfType(serverType);
  }

  /** False only when the link to `id` failed or dropped and has not come back. */
  isServerUp(id: string): boolean {
    return this.directory.isUp(id);
  }

  /** Keeps a link to every server of `serverType`, e.g. so the gate knows which connectors are up. */
  keepLinks(serverType: string): void {
    this.linkedTypes.add(serverType);
  }

  /** Runs when a peer's link comes up: first connection, or back after a restart. */
  onLinkUp(listener: (server: ServerInfo) => void): void {
    this.rpcClient.on('linkUp', listener);
  }

  onLinkDown(listener: (server: ServerInfo) => void): void {
    this.rpcClient.on('linkDown', listener);
  }

  /** Runs after the servers list changed (see `reloadServers`); `reloadServers` waits for it. */
  onServersChanged(hook: ServersChangedHook): void {
    this.directory.onChanged(hook);
  }

  /**
   * Reads config/servers.json again and switches to it without a restart: links open to new peers
   * and close to removed ones, routes use the new lists at once, and the hooks run (and are awaited).
   * A bad file changes nothing.
   */
  reloadServers(): Promise<ServersChange> {
    return this.directory.reload();
  }

  /** Sets how requests (and routed RPCs) for `serverType` pick their server. */
  route(serverType: string, fn: RouteFunction): void {
    this.routes.set(serverType, fn);
  }

  /** The routes clients may request; any other is 404 before it is parsed, routed or forwarded. */
  allowClientRoutes(routes: Iterable<string>): void {
    this.clientRoutes = new Set(routes);
  }

  /**
   * Runs `handler` for the client route `def`: the body arrives parsed by `def.parse` and the session
   * checked by `def.session`, both typed, and the reply is checked against the route's reply type.
   */
  handle<Req, Res extends object, S>(def: RouteDef<Req, Res, S>, handler: RouteHandler<Req, Res, S>): void {
    const [, group = '', method = ''] = def.route.split('.');
    this.handlers.register(group, {
      [method]: async (body, session, context) => {
        const request = def.parse(body);
        return handler(request, def.session(session), context);
      },
    });
  }

  /**
   * Serves `GET path` on this frontend's client port, beside socket.io: `handler` gets the query and
   * answers JSON (see game-server/frontend/http-get-routes.ts). Only on a server with a clientPort.
   */
  serveGet(path: string, handler: HttpGetHandler): void {
    if (!this.httpRoutes) throw new Error(`${this.serverId} has no client port to serve ${path} on`);
    this.httpRoutes.add(path, handler);
  }

  /** Serves the remote `token` names with `impl`: internal calls from peer servers only, never from clients. */
  remote<T extends object>(token: RemoteToken<T>, impl: RemoteImpl<T>): void {
    this.remoteDispatcher.register(token.name, impl);
  }

  /**
   * Typed calls to the remote `token` names: `.route(session)` picks the server like a request would,
   * `.toServer(id)` names it, `.toPeer(server)` takes one that may have left the list (a removed server
   * still holding state); `timeoutMs` replaces RPC_TIMEOUT_MS for these calls.
   */
  rpc<T>({ name: service, serverType }: RemoteToken<T>): {
    route(session: Session): RemoteCaller<T>;
    toServer(id: string): RemoteCaller<T>;
    toPeer(server: ServerInfo, options?: { timeoutMs?: number }): RemoteCaller<T>;
  } {
    const callOn = (server: ServerInfo, timeoutMs?: number): RemoteCaller<T> =>
      remoteCaller<T>((method, args) => this.rpcClient.call(server, { service, method, args }, timeoutMs));
    return {
      route: (session) => callOn(this.pickServer(serverType, session)),
      toServer: (id) => callOn(this.knownServer(id)),
      toPeer: (server, options = {}) => callOn(server, options.timeoutMs),
    };
  }

  /** The server of `serverType` that serves `session` (and its request `body`, if any); 503 when none is configured. */
  pickServer(serverType: string, session: Session, body?: unknown): ServerInfo {
    const servers = this.getServersByType(serverType);
    if (servers.length === 0) throw new AppError(Code.UNAVAILABLE, `no ${serverType} server is available`);
    return (this.routes.get(serverType) ?? defaultRoute)(session, servers, body);
  }

  /**
   * Runs `check` on this frontend before a client request goes to a backend: it throws an AppError
   * to answer it here (what the frontend alone knows, such as which rooms a connection is in).
   */
  beforeForward(check: ForwardCheck): void {
    this.forwardChecks.push(check);
  }

  private async checkForward(request: ClientRequest): Promise<void> {
    for (const check of this.forwardChecks) await check(request);
  }

  /** Adds fields to this server's `__system.status` reply (what `npm run status` shows). */
  addStatus(provider: StatusProvider): void {
    this.statusBoard.add(provider);
  }

  /** Runs before the server listens: nothing reaches it until every such hook is done (e.g. state read back from disk). */
  beforeStart(hook: LifecycleHook): void {
    this.startHooks.push(hook);
  }

  /** Runs before the RPC links close on stop, e.g. to tell backends that this server's users left. */
  beforeStop(hook: LifecycleHook): void {
    this.stopHooks.push(hook);
  }

  /**
   * Runs `__system.<method>` on `targetId`, a server without an internal port, over the link it opened
   * to this one (`__system.relay`, for operator tools).
   */
  async relaySystemCall(targetId: string, method: string, args: unknown[]): Promise<unknown> {
    if (method === 'relay') throw new AppError(Code.BAD_REQUEST, 'a relayed call cannot relay again');
    if (!this.rpcServer) throw new AppError(Code.NOT_FOUND, `${this.serverId} has no internal port, so no links come to it`);
    return this.rpcServer.callPeer(
      targetId,
      { service: SYSTEM_REMOTE, method, args: Array.isArray(args) ? args : [] },
      this.settings.RPC_TIMEOUT_MS,
    );
  }

  async start(): Promise<void> {
    for (const hook of this.startHooks) await hook();
    await this.rpcServer?.start();
    await this.clientServer?.start();
    this.connectPeers();
  }

  private connectPeers(): void {
    for (const peer of this.peers()) this.rpcClient.connect(peer);
  }

  /**
   * The servers this one keeps a link to from the start: frontends forward to backends and
   * backends push to frontends, so a first push never waits for a link to open.
   */
  private peers(): ServerInfo[] {
    const all = this.directory.all();
    // A peer without an internal port (a gate) links to us if it needs to; there is nothing to link to.
    return all.filter(
      (s) =>
        s.id !== this.serverId &&
        s.port !== undefined &&
        (Boolean(s.frontend) !== Boolean(this.info.frontend) || this.linkedTypes.has(s.serverType)),
    );
  }

  async stop(): Promise<void> {
    await this.clientServer?.stop();
    // Closing sockets starts each session's leave work (e.g. telling a chat server); let it finish.
    await this.sessions.drain();
    for (const hook of this.stopHooks) await hook();
    this.rpcClient.close();
    await this.rpcServer?.stop();
  }

  private pushToFrontend(frontendId: string, message: PushMessage, trace?: HopTrace): void {
    if (frontendId === this.serverId) return this.deliverPush(message);
    const server = this.getServerById(frontendId);
    if (server) this.rpcClient.push(server, message, trace);
  }

  /** A push batch from a backend, delivered: its hops on the link and here (game-server/metrics/hop-trace.ts). */
  private pushBatchHops({ sentAt, trace }: PushBatchStamp, arrivedAt: number): void {
    if (!this.clientServer) return;
    this.metrics.hop(HOPS.pushLink, sentAt, arrivedAt);
    this.clientServer.afterWrite((writtenAt) => {
      this.metrics.hop(HOPS.pushToWrite, arrivedAt, writtenAt);
      if (trace?.frontendId === this.serverId) this.metrics.hop(HOPS.receiptToWrite, trace.receivedAt, writtenAt);
    });
  }

  private deliverPush(message: PushMessage): void {
    this.metrics.messagesDelivered(message.route, this.clientServer?.push(message) ?? 0);
  }
}
