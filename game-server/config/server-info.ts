/** One entry of config/servers.json, with its type filled in from the section it sits in. */
export interface ServerInfo {
  id: string;
  serverType: string;
  host: string;
  /** Internal RPC port. */
  port: number;
  /** Port for clients; frontends only. */
  clientPort?: number;
  frontend?: boolean;
}

/** All servers of one environment, by type, in file order. */
export type ServerMap = ReadonlyMap<string, readonly ServerInfo[]>;
