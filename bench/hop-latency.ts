/**
 * The cluster's per-hop latency at a load step: the servers' `message_hop_seconds` histograms (see
 * game-server/metrics/hop-trace.ts), summed over the servers, read before and after the step's window, and
 * the p99 of each hop from the difference, as Prometheus' histogram_quantile computes it.
 */
import type { MetricsSnapshot } from '../game-server/admin/admin-messages';
import { HOPS } from '../game-server/metrics/hop-trace';

/** The histogram the bench reads from every server between load steps (alone: see ServerMetrics.snapshot). */
export const HOP_METRIC = 'message_hop_seconds';

/** Cumulative counts per bucket bound (seconds, Infinity last), per hop, summed over every server. */
export type HopBuckets = Record<string, Map<number, number>>;

export interface HopLatency {
  /** Observations in the window. */
  count: number;
  p99Ms: number;
}

export function hopBuckets(snapshots: Iterable<MetricsSnapshot>): HopBuckets {
  const buckets: HopBuckets = {};
  for (const snapshot of snapshots) {
    for (const metric of snapshot) {
      if (metric.name !== HOP_METRIC) continue;
      for (const v of metric.values) {
        const { hop, le } = v.labels as { hop?: string; le?: string | number };
        if ((v as { metricName?: string }).metricName !== `${HOP_METRIC}_bucket` || hop === undefined || le === undefined) continue;
        const bound = le === '+Inf' ? Infinity : Number(le);
        const byBound = (buckets[hop] ??= new Map());
        byBound.set(bound, (byBound.get(bound) ?? 0) + v.value);
      }
    }
  }
  return buckets;
}

/** The `q` quantile of cumulative buckets, in seconds: linear within its bucket; past the last finite bound, that bound. */
export function bucketQuantile(cumulative: [number, number][], q: number): number {
  const total = cumulative[cumulative.length - 1]?.[1] ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of cumulative) {
    if (count >= rank) {
      if (bound === Infinity) return lowerBound;
      return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}

/** Each hop's observations and p99 between two readings, in the order a message takes them (hops with none in between are left out). */
export function hopLatencyBetween(before: HopBuckets, after: HopBuckets): Record<string, HopLatency> {
  const out: Record<string, HopLatency> = {};
  const order: string[] = Object.values(HOPS);
  const hops = Object.entries(after).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  for (const [hop, byBound] of hops) {
    const cumulative = [...byBound.entries()]
      .sort(([a], [b]) => a - b)
      .map(([bound, count]): [number, number] => [bound, count - (before[hop]?.get(bound) ?? 0)]);
    const count = cumulative[cumulative.length - 1]?.[1] ?? 0;
    if (count > 0) out[hop] = { count, p99Ms: Number((bucketQuantile(cumulative, 0.99) * 1000).toFixed(3)) };
  }
  return out;
}
