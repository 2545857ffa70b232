import { AppError, Code } from '../errors';
import type { Step } from './pipeline';

/** A request body is an object; its fields are the route's to check (`RouteDef.parse`, where the handler runs). */
export const bodyObjectStep: Step = async ({ body }, next) => {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError(Code.BAD_REQUEST, 'the request must be an object');
  return next();
};
