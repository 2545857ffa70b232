/**
 * The web server's request handler: the browser client's static files, `/config.json` (where the
 * gate is, from the servers list), the cluster's `/metrics`, the admin page at `/admin`, and /api/ handed to the API. Nothing here knows about chat.
 */
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { clientAddress, type ClientAddress, type ServerMap } from '../game-server/config/server-info';

export interface WebAppOptions {
  /** The folder of index.html, app.js and style.css (dist/web-server/public). */
  publicDir: string;
  /** The current servers list (read at each request, so a changed config/servers.json shows at once). */
  servers: () => ServerMap;
  /** GET /metrics. */
  metrics: (req: IncomingMessage, res: ServerResponse) => void;
  /** Everything under /api/ (the token route and the server API), given the path still percent-encoded; default: 404. */
  api?: (req: IncomingMessage, res: ServerResponse, pathname: string) => void;
}

/** What the page needs to find the cluster. */
export interface ClientConfig {
  gate: ClientAddress;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

// Scripts only from this origin (no inline script, no eval); sockets to the gate and connectors on other ports.
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss: http: https:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The gate's address for browsers: its publicUrl (behind a reverse proxy), else its host and client port. */
export function clientConfig(servers: ServerMap): ClientConfig {
  const gate = servers.get('gate')?.[0];
  if (!gate?.clientPort) throw new Error('the servers list has no gate with a clientPort');
  return { gate: clientAddress(gate) };
}

export function createWebApp(options: WebAppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const publicDir = path.resolve(options.publicDir);

  return (req, res) => {
    // The API gets the path still encoded: a room id may hold a `/` (%2F), decoded per segment there.
    const apiPath = rawPath(req.url);
    if (apiPath?.startsWith('/api/')) {
      if (options.api) options.api(req, res, apiPath);
      else send(res, 404, CONTENT_TYPES['.json']!, '{"error":"not found"}');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const pathname = requestPath(req.url);
    if (pathname === undefined) {
      send(res, 400, 'text/plain; charset=utf-8', 'bad path\n');
      return;
    }
    switch (pathname) {
      case '/config.json': {
        let body: string;
        try {
          body = JSON.stringify(clientConfig(options.servers()));
        } catch (err) {
          send(res, 500, 'text/plain; charset=utf-8', `cannot read the servers list: ${(err as Error).message}\n`);
          return;
        }
        send(res, 200, CONTENT_TYPES['.json']!, body, { 'Cache-Control': 'no-store' });
        return;
      }
      case '/metrics':
        options.metrics(req, res);
        return;
      case '/':
        sendFile(req, res, path.join(publicDir, 'index.html'));
        return;
      case '/admin':
        sendFile(req, res, path.join(publicDir, 'admin.html'));
        return;
      // Browsers ask for /favicon.ico whatever the page says (a JSON or /metrics tab, an old bookmark): the same icon.
      case '/favicon.ico':
        sendFile(req, res, path.join(publicDir, 'favicon.svg'));
        return;
    }
    // Static files: only names inside publicDir, never a path that climbs out of it.
    const file = path.resolve(publicDir, `.${pathname}`);
    if (!file.startsWith(publicDir + path.sep)) {
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
      return;
    }
    sendFile(req, res, file);
  };
}

/** The path of a request URL as sent (percent-encoding kept), or undefined when it is not a URL path. */
function rawPath(url = '/'): string | undefined {
  try {
    return new URL(url, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

/** The decoded path of a request URL, or undefined when it cannot be a file name (bad escapes, NUL, `..`). */
function requestPath(url = '/'): string | undefined {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return undefined;
  }
  // new URL() already folded `/a/../b`; what is left (say, an encoded %2e%2e or a backslash) is refused.
  if (pathname.includes('\0') || pathname.includes('\\') || pathname.split('/').includes('..')) return undefined;
  // The raw URL too: `GET /../x` must not be quietly served as `/x`.
  if (url.split('?')[0]!.split('/').includes('..')) return undefined;
  return pathname;
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string): void {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...SECURITY_HEADERS, ...headers }).end(body);
}
