/** Mutual TLS on the internal RPC links (RPC_TLS_CERT, RPC_TLS_KEY, RPC_TLS_CA): read once at start, used by both ends. */
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import path from 'node:path';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { ConfigError } from '../config/config-error';
import type { Logger } from '../logger';

/** PEM text of this process's certificate, its key and the CA every peer's certificate must come from. */
export interface RpcTls {
  cert: string;
  key: string;
  ca: string;
}

export type RpcTlsPaths = Partial<Record<(typeof RPC_TLS_SETTINGS)[number], string>>;

const RPC_TLS_SETTINGS = ['RPC_TLS_CERT', 'RPC_TLS_KEY', 'RPC_TLS_CA'] as const;

/**
 * Reads the three files (relative paths are from `root`, the project root); undefined when none is set,
 * a ConfigError when only some are, when one cannot be read, or when they do not make a TLS identity.
 */
export function loadRpcTls(paths: RpcTlsPaths, root: string): RpcTls | undefined {
  const set = RPC_TLS_SETTINGS.filter((key) => paths[key] !== undefined);
  if (set.length === 0) return undefined;
  const missing = RPC_TLS_SETTINGS.filter((key) => paths[key] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      '.env',
      missing[0]!,
      `RPC_TLS_CERT, RPC_TLS_KEY and RPC_TLS_CA go together: set all three or none (${set.join(' and ')} set)`,
    );
  }
  const read = (key: (typeof RPC_TLS_SETTINGS)[number]): string => {
    const file = path.resolve(root, paths[key]!);
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError('.env', key, `cannot read ${file} (${(err as Error).message})`);
    }
  };
  const tls: RpcTls = { cert: read('RPC_TLS_CERT'), key: read('RPC_TLS_KEY'), ca: read('RPC_TLS_CA') };
  try {
    createSecureContext(tls);
  } catch (err) {
    throw new ConfigError('.env', 'RPC_TLS_CERT', `the certificate, key and CA do not make a TLS identity (${(err as Error).message})`);
  }
  return tls;
}

/** The address of a server's internal port: https with TLS, else plain http (ws). */
export function rpcUrl(host: string, port: number, tls: RpcTls | undefined): string {
  return `${tls ? 'https' : 'http'}://${host}:${port}`;
}

/**
 * The internal port's TLS: a peer without a certificate from our CA is refused at the handshake,
 * before socket.io (and RPC_SECRET) sees anything.
 */
export function rpcServerTlsOptions(tls: RpcTls): HttpsServerOptions {
  return { ...tls, requestCert: true, rejectUnauthorized: true };
}

/** The HTTP server under an internal port's socket.io: https with mutual TLS, else plain http. */
export function rpcHttpServer(tls: RpcTls | undefined, log: Logger): HttpServer {
  const notFound: RequestListener = (_req, res) => res.writeHead(404).end();
  if (!tls) return createServer(notFound);
  const https = createHttpsServer(rpcServerTlsOptions(tls), notFound);
  https.on('tlsClientError', (err: NodeJS.ErrnoException & { reason?: string }, socket: TLSSocket) => {
    // A port probe that connects and closes is no news; a peer whose certificate failed (another CA) or that
    // sent none is. Node checks a client's certificate once the handshake is done, then destroys the socket.
    const refused = socket.authorizationError ?? (err.code?.startsWith('ERR_SSL') ? (err.reason ?? err.message) : undefined);
    if (refused) log.warn({ from: socket.remoteAddress, error: String(refused) }, 'refused an RPC peer at the TLS handshake');
  });
  return https;
}

/**
 * socket.io-client's options for a link: our certificate for the peer to check, and the peer's checked
 * against our CA and against the host we dialled (the host of servers.json, which the peer's certificate
 * must name as an IP or DNS subject alternative name).
 */
export function rpcClientTlsOptions(tls: RpcTls | undefined): Partial<RpcTls> & { rejectUnauthorized?: boolean } {
  return tls ? { ...tls, rejectUnauthorized: true } : {};
}
