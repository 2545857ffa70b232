import type { ServerInfo } from '../config/server-info';
import { AppError, Code } from '../errors';
import type { Session } from '../frontend/session';
import type { ClientResponse, ForwardedRequest } from '../rpc/rpc-messages';
import type { ClientRequest, RequestRunner } from './pipeline';
import { sessionSnapshot } from './session-snapshot';

export interface BackendLinks {
  /** The servers of `serverType`, or undefined when the list has no such type. */
  serversOfType(serverType: string): readonly ServerInfo[] | undefined;
  /** The server of `serverType` that serves `session` and its request `body` (the type's route function). */
  pick(serverType: string, session: Session, body: unknown): ServerInfo;
  /** Throws to answer a request on the frontend instead of forwarding it (see `Application.beforeForward`). */
  check(request: ClientRequest): Promise<void>;
  forward(server: ServerInfo, request: ForwardedRequest): Promise<ClientResponse>;
}

/** Passes a client request to the backend its route names (404 for a type that is unknown or a frontend). */
export function backendForward(links: BackendLinks): RequestRunner {
  return async (request) => {
    const { route, body, session } = request;
    const serverType = route.slice(0, route.indexOf('.'));
    const targets = links.serversOfType(serverType);
    if (!targets || targets.some((s) => s.frontend)) throw new AppError(Code.NOT_FOUND, 'unknown route');
    await links.check(request);
    const server = links.pick(serverType, session, body);
    // An object: bodyObjectStep checked it.
    const forwarded: ForwardedRequest = { route, body: body as Record<string, unknown>, session: sessionSnapshot(session) };
    if (request.trace) forwarded.trace = request.trace;
    return links.forward(server, forwarded);
  };
}
