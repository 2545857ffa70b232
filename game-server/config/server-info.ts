/** One entry of config/servers.json, with its type filled in from the section it sits in. */
export interface ServerInfo {
  id: string;
  serverType: string;
  host: string;
  /**
   * Internal RPC port. A frontend may go without one (the tutorial's gate): it still opens its own links
   * to the servers it needs, and operator tools reach it through one of them (`__system.relay`).
   */
  port?: number;
  /** Port for clients; frontends only. */
  clientPort?: number;
  /**
   * Where clients reach this frontend when that is not `host:clientPort` (behind a reverse proxy):
   * `wss://chat.example.com:8443`, scheme ws/wss/http/https, no path. The gate answers it for connectors
   * and the web server's /config.json for the gate (docs/reverse-proxy.md).
   */
  publicUrl?: string;
  frontend?: boolean;
}

/** Where a client connects to a frontend: what the gate answers and /config.json shows. */
export interface ClientAddress {
  host: string;
  port: number;
  /** Present (true) only when clients must use TLS (https/wss); absent for a plain address. */
  secure?: true;
}

/** All servers of one environment, by type, in file order. */
export type ServerMap = ReadonlyMap<string, readonly ServerInfo[]>;

/** The port that shows a server is up: its client port (frontends), else its RPC port. */
export function listeningPort(server: ServerInfo): number {
  const port = server.clientPort ?? server.port;
  if (port === undefined) throw new Error(`server ${server.id} has neither a port nor a clientPort`);
  return port;
}

/** The schemes `publicUrl` may have, and whether each means TLS. */
export const PUBLIC_URL_SCHEMES: Readonly<Record<string, boolean>> = { 'ws:': false, 'http:': false, 'wss:': true, 'https:': true };

/**
 * The address clients use for a frontend: its `publicUrl` when set, else `host:clientPort`. The
 * publicUrl was checked when the servers list was read (load-servers-config.ts).
 */
export function clientAddress(server: ServerInfo): ClientAddress {
  if (server.publicUrl !== undefined) {
    const url = new URL(server.publicUrl);
    const secure = PUBLIC_URL_SCHEMES[url.protocol] === true;
    // URL.hostname keeps an IPv6 address's brackets; clients want the bare address, as in `host`.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
    return { host, port, ...(secure && { secure: true as const }) };
  }
  if (server.clientPort === undefined) throw new Error(`server ${server.id} has no clientPort`);
  return { host: server.host, port: server.clientPort };
}
