import type { ServerInfo } from '../config/server-info';
import type { Session } from '../frontend/session';
import { dispatch } from './dispatch';

/**
 * Picks the server of one type that serves a request; `servers` is never empty. `body` is the client
 * request's (absent for a routed RPC): a request may name what it is about, a room say.
 */
export type RouteFunction = (session: Session, servers: readonly ServerInfo[], body?: unknown) => ServerInfo;

/** Used for a server type without `app.route`: the same session always lands on the same server. */
export const defaultRoute: RouteFunction = (session, servers) => dispatch(session.uid ?? session.id, servers);
