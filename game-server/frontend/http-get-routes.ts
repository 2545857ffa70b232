import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import { AppError, Code, toErrorResponse } from '../errors';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../metrics/server-metrics';
import type { RuntimeSettings } from '../settings';
import { TokenBucket } from './token-bucket';

/** Answers a GET: its fields go out with code 200; an AppError becomes `{ code, error }` with that HTTP status. */
export type HttpGetHandler = (query: URLSearchParams) => Promise<object> | object;

/** Which origins may call: every one (`*`) or a list, the CORS_ORIGIN setting socket.io's `cors` also gets. */
export function corsOrigin(settings: Pick<RuntimeSettings, 'CORS_ORIGIN'>): true | string[] {
  return settings.CORS_ORIGIN === '*' ? true : settings.CORS_ORIGIN.split(',');
}

const ALLOW = 'GET, HEAD, OPTIONS';
/** Browsers cache a preflight's answer this long (seconds). */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Small JSON GET routes a frontend serves on its client port beside socket.io (the gate's `/entry`):
 * CORS as socket.io's (preflight included), `Cache-Control: no-store`, 405 for other methods, and a
 * token bucket per TCP connection, as a socket.io request has per socket (RATE_LIMIT_*).
 */
export class HttpGetRoutes {
  private readonly routes = new Map<string, HttpGetHandler>();
  private readonly buckets = new WeakMap<NetSocket, TokenBucket>();
  private readonly origins: true | string[];

  constructor(
    private readonly settings: Pick<RuntimeSettings, 'CORS_ORIGIN' | 'RATE_LIMIT_PER_SECOND' | 'RATE_LIMIT_BURST'>,
    private readonly log: Logger,
    /** Counted as the socket.io requests are: by route (`GET /entry`), and errors by code. */
    private readonly metrics: Pick<ServerMetrics, 'messageIn' | 'error'>,
  ) {
    this.origins = corsOrigin(settings);
  }

  add(path: string, handler: HttpGetHandler): void {
    if (!path.startsWith('/')) throw new Error(`an HTTP route's path starts with "/": ${path}`);
    if (this.routes.has(path)) throw new Error(`HTTP route ${path} is already served`);
    this.routes.set(path, handler);
  }

  /** The http server's request listener for what socket.io does not take: a route, else 404. */
  readonly serve = (req: IncomingMessage, res: ServerResponse): void => {
    const url = URL.parse(req.url ?? '/', 'http://x');
    const handler = url && this.routes.get(url.pathname);
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    this.allowOrigin(req, res);
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'OPTIONS') return this.preflight(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', ALLOW);
      return this.reply(req, res, {
        code: Code.METHOD_NOT_ALLOWED,
        error: `${req.method ?? 'this method'} is not allowed on ${url.pathname}: use GET`,
      });
    }
    this.metrics.messageIn(`GET ${url.pathname}`);
    if (!this.take(req.socket)) return this.reply(req, res, { code: Code.TOO_MANY_REQUESTS, error: 'too many requests, slow down' });
    void this.answer(handler, url.searchParams).then((body) => this.reply(req, res, body));
  };

  private async answer(handler: HttpGetHandler, query: URLSearchParams): Promise<object & { code: number }> {
    try {
      return { ...(await handler(query)), code: Code.OK };
    } catch (err) {
      if (!(err instanceof AppError)) this.log.error({ err }, 'HTTP route failed');
      return toErrorResponse(err);
    }
  }

  private reply(req: IncomingMessage, res: ServerResponse, body: { code: number; error?: string } | (object & { code: number })): void {
    if (body.code !== Code.OK) this.metrics.error(body.code);
    const json = JSON.stringify(body);
    res.writeHead(body.code, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
    res.end(req.method === 'HEAD' ? undefined : json);
  }

  private preflight(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Access-Control-Allow-Methods', ALLOW);
    const headers = req.headers['access-control-request-headers'];
    if (headers !== undefined) res.setHeader('Access-Control-Allow-Headers', headers);
    res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_S);
    res.writeHead(204, { 'Content-Length': 0 }).end();
  }

  /** As the `cors` package does for socket.io: the request's origin echoed when it may call, with `Vary: Origin`. */
  private allowOrigin(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Vary', 'Origin');
    const origin = req.headers.origin;
    if (origin === undefined) return;
    if (this.origins === true || this.origins.includes(origin)) res.setHeader('Access-Control-Allow-Origin', origin);
  }

  private take(socket: NetSocket): boolean {
    let bucket = this.buckets.get(socket);
    if (!bucket) this.buckets.set(socket, (bucket = new TokenBucket(this.settings.RATE_LIMIT_PER_SECOND, this.settings.RATE_LIMIT_BURST)));
    return bucket.take();
  }
}
