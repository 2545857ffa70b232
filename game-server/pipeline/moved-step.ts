import { Moved } from '../contract/moved';
import { AppError, Code } from '../errors';
import type { ClientResponse } from '../rpc/rpc-messages';
import type { ClientRequest, Step } from './pipeline';

/**
 * A handler whose state moved to another server (it threw `Moved`): that server answers, passed the
 * request once with `redirected` set; moved again there, 503 rather than a loop.
 */
export function movedStep(forward: (serverId: string, request: ClientRequest) => Promise<ClientResponse>): Step {
  return async (request, next) => {
    try {
      return await next();
    } catch (err) {
      if (!(err instanceof Moved)) throw err;
      if (request.redirected) throw new AppError(Code.UNAVAILABLE, 'what this request needs is moving; try again');
      return forward(err.serverId, { ...request, redirected: true });
    }
  };
}
