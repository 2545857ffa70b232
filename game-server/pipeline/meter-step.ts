import type { ServerMetrics } from '../metrics/server-metrics';
import type { Step } from './pipeline';

/** Counts each request by route; routes clients may not use count as `other`, so they cannot grow the labels. */
export function meterStep(metrics: Pick<ServerMetrics, 'messageIn'>, allowed: () => ReadonlySet<string> | undefined): Step {
  return async (request, next) => {
    metrics.messageIn(allowed()?.has(request.route) ? request.route : 'other');
    return next();
  };
}
