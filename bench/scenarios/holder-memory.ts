/** The memory of the processes that hold client sockets: the cluster's connectors, the baseline, the adapter's workers. */
import { probeMemory } from '../memory-probe-client';
import { rssBytes } from '../proc-stats';
import { sumMetric } from '../targets/internal-traffic';
import type { ServerProcess, Target } from '../targets/target';

const HOLDER_ROLES = new Set(['connector', 'baseline', 'adapter-worker']);

export const isHolder = (p: ServerProcess): boolean => HOLDER_ROLES.has(p.role);

export interface HolderMemory {
  /** Resident set size, bytes, by process name. */
  rss: Record<string, number>;
  /** V8 heap in use, bytes, by process name (absent: the target neither runs the probe nor keeps metrics). */
  heapUsed?: Record<string, number>;
  /** Read right after a full GC (bench/memory-probe.ts), or as found (/proc, /metrics). */
  afterGc: boolean;
}

/** Every holder's memory now: after a full GC where the servers run the probe, else RSS from /proc and heap from /metrics. */
export async function holderMemory(target: Target): Promise<HolderMemory> {
  const holders = (await target.processes()).filter(isHolder);
  const byName = (value: (p: ServerProcess) => number): Record<string, number> =>
    Object.fromEntries(holders.map((p) => [p.name, value(p)]));
  const probed = await probeMemory(
    process.env.BENCH_MEMORY_DIR,
    holders.map((p) => p.pid),
  );
  if (probed) return { rss: byName((p) => probed.get(p.pid)!.rss), heapUsed: byName((p) => probed.get(p.pid)!.heapUsed), afterGc: true };
  const rss = byName((p) => rssBytes(p.pid) ?? 0);
  if (!target.metrics) return { rss, afterGc: false };
  const metrics = await target.metrics();
  const heapUsed = byName((p) => {
    const snapshot = metrics.get(p.name);
    return snapshot ? sumMetric([snapshot], 'nodejs_heap_size_used_bytes') : 0;
  });
  return { rss, heapUsed, afterGc: false };
}

export const total = (byProcess: Record<string, number> | undefined): number => Object.values(byProcess ?? {}).reduce((n, x) => n + x, 0);
