import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Logger } from '../logger';
import { closeHttp, listen } from '../net';
import type { ClientResponse, PushMessage } from '../rpc/rpc-messages';
import { channelRoom, type FrontendSession } from './frontend-session';
import type { SessionService } from './session-service';

/** Runs one client request to its response; never throws. */
export type ClientRequestRunner = (route: string, body: unknown, session: FrontendSession) => Promise<ClientResponse>;

export interface ClientServerOptions {
  host: string;
  port: number;
  maxFrameBytes: number;
  corsOrigin: string;
  sessions: SessionService;
  run: ClientRequestRunner;
  log: Logger;
}

/** The socket.io server clients connect to: one session per socket, every event a request. */
export class ClientServer {
  private http?: HttpServer;
  private io?: Server;

  constructor(private readonly options: ClientServerOptions) {}

  async start(): Promise<void> {
    const { host, port, maxFrameBytes, corsOrigin, sessions, run } = this.options;
    const http = createServer((_req, res) => res.writeHead(404).end());
    const io = new Server(http, {
      perMessageDeflate: false,
      httpCompression: false,
      serveClient: false,
      maxHttpBufferSize: maxFrameBytes,
      cors: { origin: corsOrigin === '*' ? true : corsOrigin.split(',') },
    });
    io.on('connection', (socket) => {
      const session = sessions.create(socket);
      socket.onAny((route: string, ...args: unknown[]) => {
        const ack = args[args.length - 1];
        // A request without an acknowledgement has nowhere to answer: drop it without running it.
        if (typeof ack !== 'function') return;
        const reply = ack as (response: ClientResponse) => void;
        void run(route, args.length > 1 ? args[0] : undefined, session).then(reply);
      });
      socket.on('disconnect', () => sessions.close(session));
    });
    await listen(http, port, host);
    this.http = http;
    this.io = io;
  }

  /** Delivers a push from a backend to this server's sockets, encoding the packet once; returns how many sockets it reached. */
  push({ route, msg, channel, uids, except }: PushMessage): number {
    if (!this.io) return 0;
    const { sessions } = this.options;
    const exceptSid = except === undefined ? undefined : sessions.getByUid(except)?.id;
    let target: ReturnType<Server['to']>;
    let recipients: number;
    if (channel !== undefined) {
      const members = this.io.sockets.adapter.rooms.get(channelRoom(channel));
      recipients = (members?.size ?? 0) - (exceptSid !== undefined && members?.has(exceptSid) ? 1 : 0);
      target = this.io.to(channelRoom(channel));
    } else {
      const sids = (uids ?? []).flatMap((uid) => sessions.getByUid(uid)?.id ?? []);
      // `to([])` would mean "everyone": a push whose users are all gone goes nowhere.
      if (sids.length === 0) return 0;
      recipients = sids.length - (exceptSid !== undefined && sids.includes(exceptSid) ? 1 : 0);
      target = this.io.to(sids);
    }
    if (exceptSid !== undefined) target = target.except(exceptSid);
    target.emit(route, msg);
    return recipients;
  }

  /** Stops accepting clients and disconnects the ones left (their sessions close as usual). */
  async stop(): Promise<void> {
    if (!this.http || !this.io) return;
    this.io.disconnectSockets(true);
    await closeHttp(this.http, this.io);
  }
}
