import CRC32 from 'crc-32';
import type { ServerInfo } from '../config/server-info';
import type { Session } from '../frontend/session';

/** Picks the server of one type that serves a request; `servers` is never empty. */
export type RouteFunction = (session: Session, servers: readonly ServerInfo[]) => ServerInfo;

/** Used for a server type without `app.route`: the same session always lands on the same server. */
export const defaultRoute: RouteFunction = (session, servers) => {
  const key = session.uid ?? session.id;
  return servers[Math.abs(CRC32.str(key)) % servers.length]!;
};
