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
  frontend?: boolean;
}

/** All servers of one environment, by type, in file order. */
export type ServerMap = ReadonlyMap<string, readonly ServerInfo[]>;

/** The port that shows a server is up: its client port (frontends), else its RPC port. */
export function listeningPort(server: ServerInfo): number {
  const port = server.clientPort ?? server.port;
  if (port === undefined) throw new Error(`server ${server.id} has neither a port nor a clientPort`);
  return port;
}
