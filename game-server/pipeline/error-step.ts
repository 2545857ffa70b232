import { AppError, toErrorResponse, type ErrorResponse } from '../errors';
import type { Logger } from '../logger';
import type { ServerMetrics } from '../metrics/server-metrics';
import type { Step } from './pipeline';

type ErrorMetrics = Pick<ServerMetrics, 'error'>;

/** Whatever the steps after it throw becomes `{ code, error }` (see `mapError`). */
export function errorStep(log: Logger, metrics: ErrorMetrics): Step {
  return async ({ route }, next) => {
    try {
      return await next();
    } catch (err) {
      return mapError(log, metrics, err, route);
    }
  };
}

/** An error as the wire sees it, counted; a fault that is not an AppError is logged and answers 500. */
export function mapError(log: Logger, metrics: ErrorMetrics, err: unknown, route: string): ErrorResponse {
  if (!(err instanceof AppError)) log.error({ err, route }, 'handler failed');
  const response = toErrorResponse(err);
  metrics.error(response.code);
  return response;
}
