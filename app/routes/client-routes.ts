import type { z } from 'zod';
import type { Application, FrontendSession, RouteDef, Session } from '../../game-server';
import { ClientRoutes, type ChatSession, type RouteSpec, type SessionNeed } from '../protocol';
import type { ChatSettings } from '../settings';
import { parseRequest, requestSchemas } from '../validation';
import { memberSession, type MemberSession } from './member-session';

/** The session each need hands a handler. */
interface SessionFor {
  none: Session;
  connection: FrontendSession<ChatSession>;
  member: MemberSession;
}

type Bound<T> = T extends RouteSpec<infer Req, infer Res, infer N> ? RouteDef<Req, Res, SessionFor[N]> : never;

/** The client routes as the runtime runs them: `app.handle(routes.send, ...)`. */
export type ChatRoutes = { [K in keyof typeof ClientRoutes]: Bound<(typeof ClientRoutes)[K]> };

/**
 * Binds the contract (app/protocol.ts) to this server: each route's schema (lengths from settings),
 * which must parse to the route's request type, and its session check.
 */
export function clientRoutes(app: Application, settings: ChatSettings): ChatRoutes {
  const schemas = requestSchemas(settings);
  const checks: { [N in SessionNeed]: (session: Session) => SessionFor[N] } = {
    none: (session) => session,
    connection: (session) => app.sessions.get<ChatSession>(session.id),
    member: memberSession,
  };
  const bind = <Req, Res, N extends SessionNeed>(
    spec: RouteSpec<Req, Res, N>,
    schema: z.ZodType<Req>,
  ): RouteDef<Req, Res, SessionFor[N]> => ({
    route: spec.route,
    parse: (body) => parseRequest(schema, body),
    session: checks[spec.session],
  });
  return {
    queryEntry: bind(ClientRoutes.queryEntry, schemas.queryEntry),
    enter: bind(ClientRoutes.enter, schemas.enter),
    refresh: bind(ClientRoutes.refresh, schemas.refresh),
    rooms: bind(ClientRoutes.rooms, schemas.rooms),
    join: bind(ClientRoutes.join, schemas.join),
    leave: bind(ClientRoutes.leave, schemas.leave),
    send: bind(ClientRoutes.send, schemas.send),
    history: bind(ClientRoutes.history, schemas.history),
    typing: bind(ClientRoutes.typing, schemas.typing),
    read: bind(ClientRoutes.read, schemas.read),
  };
}
