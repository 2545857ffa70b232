import type { Session } from '../frontend/session';
import type { HandlerContext } from '../handler-registry';

/**
 * A client route as the runtime runs it: its name on the wire (`serverType.handler.method`), how a
 * body becomes the request (throws AppError 400), and what the handler needs of the session, checked
 * and typed (throws AppError 403). The application builds these from its contract (app/protocol.ts).
 */
export interface RouteDef<Req, Res, S> {
  readonly route: string;
  readonly parse: (body: unknown) => Req;
  readonly session: (session: Session) => S;
  /** The reply's type: never set, only read by the compiler. */
  readonly response?: Res;
}

/** What `app.handle(def, handler)` takes: the request parsed and the session checked, both typed. */
export type RouteHandler<Req, Res, S> = (request: Req, session: S, context: HandlerContext) => Promise<Res>;
