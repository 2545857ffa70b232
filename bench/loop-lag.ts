/**
 * Each server's event-loop delay, from prom-client's default metrics: reading `nodejs_eventloop_lag_seconds`
 * sets its percentiles from a histogram of the delays since the last reading and starts it again, so two
 * readings bound a window.
 */
import type { MetricsSnapshot } from '../game-server/admin/admin-messages';

/** Read first: it fills the percentiles below and resets their histogram. */
export const LAG_METRIC = 'nodejs_eventloop_lag_seconds';
export const LAG_P99_METRIC = 'nodejs_eventloop_lag_p99_seconds';

/** prom-client's default for collectDefaultMetrics' eventLoopMonitoringPrecision: each delay it records includes it. */
export const LAG_TIMER_MS = 10;

/** The first value of a metric in a snapshot, if it is a number. */
export function metricValue(snapshot: MetricsSnapshot, name: string): number | undefined {
  const value = snapshot.find((m) => m.name === name)?.values[0]?.value;
  return typeof value === 'number' ? value : undefined;
}

/** The p99 event-loop delay in ms (less the timer it is measured with) of each server whose snapshot has it. */
export function loopLagP99Ms(snapshots: ReadonlyMap<string, MetricsSnapshot>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [server, snapshot] of snapshots) {
    const lag = metricValue(snapshot, LAG_P99_METRIC);
    if (lag !== undefined) out[server] = Math.max(0, Number((lag * 1000 - LAG_TIMER_MS).toFixed(2)));
  }
  return out;
}
