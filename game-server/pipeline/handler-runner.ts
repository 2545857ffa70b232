import { Code } from '../errors';
import type { Handler, Registry } from '../handler-registry';
import type { RequestRunner } from './pipeline';

/** The last step where a route runs: its registered handler, whose fields answer with code 200. */
export function handlerRunner(handlers: Registry<Handler>): RequestRunner {
  return async ({ route, body, session, redirected }) => {
    const [, group = '', method = ''] = route.split('.');
    const result = await handlers.lookup(group, method)(body, session, { route, redirected });
    return { ...result, code: Code.OK };
  };
}
