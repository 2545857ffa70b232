import { AppError, Code } from '../errors';
import type { Step } from './pipeline';

/** `serverType.handler.method`, each part short and plain. */
export const ROUTE = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_]{1,64})\.([A-Za-z0-9_]{1,64})$/;

/** A route that is malformed, or not one clients may request (when the application lists them), is 404 before anything else. */
export function routeAllowStep(allowed: () => ReadonlySet<string> | undefined): Step {
  return async ({ route }, next) => {
    const list = allowed();
    if (typeof route !== 'string' || !ROUTE.test(route) || (list && !list.has(route))) throw new AppError(Code.NOT_FOUND, 'unknown route');
    return next();
  };
}
