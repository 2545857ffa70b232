/**
 * The soak's verdict on its samples (see docs/soak.md): over the second half of the load, heap after GC
 * and RSS grow by at most `maxGrowth`; after the load stops, open fds and active handles come back to
 * where they were before it; event-loop lag p99 stays under `lagLimitMs`; and (judged by the chaos
 * verifier, passed in) nothing was lost, duplicated or reordered.
 */
import type { ServerSample } from './sampler';

export interface SoakLimits {
  /** Growth of heap after GC over the second half of the load, as a fraction (0.05: 5 %). */
  maxGrowth: number;
  /** The same for RSS. */
  maxRssGrowth: number;
  /** Event-loop lag p99 over the second half of the load, ms. */
  lagLimitMs: number;
  /** Open fds and active handles after the load may exceed their level before it by this many. */
  levelSlack: number;
}

export const DEFAULT_LIMITS: SoakLimits = { maxGrowth: 0.05, maxRssGrowth: 0.05, lagLimitMs: 50, levelSlack: 2 };

/** Fewer samples than this in a quarter of the second half judge nothing: the run fails instead of passing blind. */
export const MIN_QUARTER_SAMPLES = 3;

export const GROWTH_RULE =
  "growth: of each server's samples during the load, the second half is cut in quarters; the median of the last quarter " +
  'is compared with the median of the first (heap after a full GC, and RSS): a single noisy second moves neither median.';
export const LEVEL_RULE =
  'level: the median of the last 3 idle samples after the load, against the median of the idle samples before it ' +
  '(after a warm-up that opened every internal link), may exceed it by the slack.';
export const LAG_RULE =
  'lag: each sample carries the p99 of the event-loop delay since the previous one (prom-client, less its 10 ms timer); ' +
  'the 99th percentile of those over the second half of the load must stay under the limit.';

export interface Growth {
  first: number;
  last: number;
  /** last / first - 1 */
  growth: number;
}

export interface ServerVerdict {
  server: string;
  samples: number;
  heapAfterGc?: Growth;
  rss?: Growth;
  lagP99Ms?: number;
  fds?: { before: number; after: number };
  handles?: { before: number; after: number };
  failures: string[];
}

export interface LossSummary {
  lost: number;
  duplicated: number;
  outOfOrder: number;
  unexplainedNotices: number;
}

export interface SoakVerdict {
  passed: boolean;
  failures: string[];
  servers: ServerVerdict[];
  limits: SoakLimits;
  rules: string[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (q in 0..1). */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

function growthOf(first: readonly ServerSample[], last: readonly ServerSample[], pick: (s: ServerSample) => number): Growth {
  const [a, b] = [median(first.map(pick)), median(last.map(pick))];
  return { first: a, last: b, growth: Number((b / a - 1).toFixed(4)) };
}

export function judgeServer(server: string, samples: readonly ServerSample[], limits: SoakLimits): ServerVerdict {
  const mine = samples.filter((s) => s.server === server);
  const verdict: ServerVerdict = { server, samples: mine.length, failures: [] };
  const fail = (reason: string): void => void verdict.failures.push(`${server}: ${reason}`);
  const load = mine.filter((s) => s.phase === 'load');
  if (new Set(mine.map((s) => s.pid)).size > 1) fail(`restarted during the run (pids ${[...new Set(mine.map((s) => s.pid))].join(', ')})`);
  if (load.length === 0) {
    fail('no samples during the load');
    return verdict;
  }
  const [start, end] = [load[0]!.t, load[load.length - 1]!.t];
  const mid = (start + end) / 2;
  const quarter = (end - mid) / 4;
  const secondHalf = load.filter((s) => s.t >= mid);
  const first = secondHalf.filter((s) => s.t < mid + quarter);
  const last = secondHalf.filter((s) => s.t >= end - quarter);
  if (first.length < MIN_QUARTER_SAMPLES || last.length < MIN_QUARTER_SAMPLES)
    fail(`too few samples to judge growth (${first.length} and ${last.length} in the quarters, at least ${MIN_QUARTER_SAMPLES} each)`);
  else {
    verdict.heapAfterGc = growthOf(first, last, (s) => s.heapAfterGcBytes);
    verdict.rss = growthOf(first, last, (s) => s.rssBytes);
    for (const [what, g, limit] of [
      ['heap after GC', verdict.heapAfterGc, limits.maxGrowth],
      ['RSS', verdict.rss, limits.maxRssGrowth],
    ] as const)
      if (g.growth > limit) fail(`${what} grew ${pct(g.growth)} over the second half (limit ${pct(limit)})`);
  }
  verdict.lagP99Ms = percentile(
    secondHalf.map((s) => s.lagP99Ms),
    0.99,
  );
  if (verdict.lagP99Ms >= limits.lagLimitMs) fail(`event-loop lag p99 ${verdict.lagP99Ms} ms (limit ${limits.lagLimitMs} ms)`);

  const before = mine.filter((s) => s.phase === 'idle-before');
  const after = mine.filter((s) => s.phase === 'idle-after').slice(-3);
  if (before.length === 0 || after.length === 0) fail('no idle samples before or after the load: fds and handles not judged');
  else
    for (const key of ['fds', 'handles'] as const) {
      const level = { before: median(before.map((s) => s[key])), after: median(after.map((s) => s[key])) };
      verdict[key] = level;
      if (level.after > level.before + limits.levelSlack)
        fail(`${key} ${level.after} after the load, ${level.before} before it (slack ${limits.levelSlack})`);
    }
  return verdict;
}

/** Whether the idle samples of one round show every server back at its level (the run waits for this). */
export function backToLevel(samples: readonly ServerSample[], round: readonly ServerSample[], slack: number): boolean {
  return round.every((r) => {
    const before = samples.filter((s) => s.server === r.server && s.phase === 'idle-before');
    return (
      before.length > 0 && r.fds <= median(before.map((s) => s.fds)) + slack && r.handles <= median(before.map((s) => s.handles)) + slack
    );
  });
}

export function judgeSoak(
  servers: readonly string[],
  samples: readonly ServerSample[],
  loss: LossSummary,
  limits: SoakLimits,
): SoakVerdict {
  const verdicts = servers.map((server) => judgeServer(server, samples, limits));
  const failures = verdicts.flatMap((v) => v.failures);
  if (loss.lost > 0) failures.push(`${loss.lost} messages answered 200 never reached a member of their room`);
  if (loss.duplicated > 0) failures.push(`${loss.duplicated} messages pushed twice`);
  if (loss.outOfOrder > 0) failures.push(`${loss.outOfOrder} messages pushed out of order`);
  if (loss.unexplainedNotices > 0) failures.push(`${loss.unexplainedNotices} times a member was told recovered:false`);
  return { passed: failures.length === 0, failures, servers: verdicts, limits, rules: [GROWTH_RULE, LEVEL_RULE, LAG_RULE] };
}
