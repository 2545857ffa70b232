import type { RequestRunner } from './pipeline';

/**
 * The last step on a frontend: a route of this server's type runs here, and so does another type's
 * route this server has a handler for (a frontend's part of a backend route, such as a connection
 * joining a room); any other goes to a backend.
 */
export function localOrForward(
  serverType: string,
  handledHere: (route: string) => boolean,
  local: RequestRunner,
  forward: RequestRunner,
): RequestRunner {
  return (request) =>
    request.route.slice(0, request.route.indexOf('.')) === serverType || handledHere(request.route) ? local(request) : forward(request);
}
