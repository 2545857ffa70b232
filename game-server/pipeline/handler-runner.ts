import { Code } from '../errors';
import type { Handler, Registry } from '../handler-registry';
import { hopNow, HOPS } from '../metrics/hop-trace';
import type { ServerMetrics } from '../metrics/server-metrics';
import type { RequestRunner } from './pipeline';

/**
 * The last step where a route runs: its registered handler, whose fields answer with code 200. A traced
 * request gets the handler's start time in its trace.
 */
export function handlerRunner(handlers: Registry<Handler>, metrics: Pick<ServerMetrics, 'hop'>): RequestRunner {
  return async ({ route, body, session, redirected, trace: received }) => {
    const [, group = '', method = ''] = route.split('.');
    let trace = received;
    if (trace) {
      const handledAt = hopNow();
      metrics.hop(HOPS.receiptToHandler, trace.receivedAt, handledAt);
      trace = { ...trace, handledAt };
    }
    const result = await handlers.lookup(group, method)(body, session, { route, redirected, trace });
    return { ...result, code: Code.OK };
  };
}
