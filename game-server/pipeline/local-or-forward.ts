import type { RequestRunner } from './pipeline';

/** The last step on a frontend: a route of this server's type runs here, any other goes to a backend. */
export function localOrForward(serverType: string, local: RequestRunner, forward: RequestRunner): RequestRunner {
  return (request) => (request.route.slice(0, request.route.indexOf('.')) === serverType ? local(request) : forward(request));
}
