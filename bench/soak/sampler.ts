/**
 * Once a second, every server of the cluster asked over its RPC port (`__system`, as `npm run status`
 * and /metrics do): its prom-client metrics (RSS, open fds, active handles, event-loop delay since the
 * last ask), then its status with `gc` (a full collection and the heap after it: the servers run with
 * `--expose-gc`).
 */
import { askMetrics, askStatus, type AdminClientOptions } from '../../game-server/admin/admin-client';
import type { ServerInfo } from '../../game-server/config/server-info';
import { LAG_P99_METRIC, LAG_TIMER_MS, metricValue } from '../loop-lag';

/** What the run was doing when a sample was taken. */
export type Phase = 'warm-up' | 'idle-before' | 'load' | 'idle-after';

export interface ServerSample {
  /** Seconds since the sampler started. */
  t: number;
  phase: Phase;
  server: string;
  pid: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** The heap right after a full collection. */
  heapAfterGcBytes: number;
  /** How long that collection paused the server. */
  gcMs: number;
  fds: number;
  handles: number;
  /** p99 of the event-loop delay since the previous sample, less the 10 ms timer it is measured with. */
  lagP99Ms: number;
  /** Open client sockets (frontends). */
  connections?: number;
}

const SAMPLE_TIMEOUT_MS = 3000;

export class Sampler {
  readonly samples: ServerSample[] = [];
  /** Why a server gave no sample, counted by server and reason. */
  readonly misses = new Map<string, number>();
  phase: Phase = 'warm-up';
  private timer?: NodeJS.Timeout;
  private readonly startedAt = Date.now();
  private inFlight?: Promise<void>;

  constructor(
    private readonly servers: () => readonly ServerInfo[],
    private readonly options: Omit<AdminClientOptions, 'timeoutMs'>,
    private readonly periodMs = 1000,
  ) {}

  /** Seconds since the sampler started. */
  now(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  start(): void {
    const tick = (): void => {
      // A round that takes longer than the period (a busy machine) delays the next, never overlaps it.
      this.inFlight = this.sampleAll().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, Math.max(0, this.periodMs - ((Date.now() - this.startedAt) % this.periodMs)));
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Resolves with the samples of the next round, once it has been taken. */
  nextRound(): Promise<ServerSample[]> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private waiting: ((samples: ServerSample[]) => void)[] = [];

  private async sampleAll(): Promise<void> {
    const servers = this.servers();
    const t = Number(this.now().toFixed(2));
    const phase = this.phase;
    const results = await Promise.all(servers.map((server) => this.sampleOne(server, servers, t, phase)));
    const round = results.filter((r): r is ServerSample => r !== undefined);
    this.samples.push(...round);
    for (const resolve of this.waiting.splice(0)) resolve(round);
  }

  private async sampleOne(server: ServerInfo, servers: readonly ServerInfo[], t: number, phase: Phase): Promise<ServerSample | undefined> {
    const options = { ...this.options, servers, timeoutMs: SAMPLE_TIMEOUT_MS };
    // Metrics first: their event-loop window then ends before this round's collection pauses the server.
    const metrics = await askMetrics(server, options);
    const status = metrics.ok ? await askStatus(server, { gc: true }, options) : undefined;
    if (!metrics.ok || !status?.ok) return this.miss(server.id, !metrics.ok ? metrics.error : status!.ok ? '' : status!.error);
    const { memory, pid, connections } = status.value;
    const m = metrics.value;
    const rss = metricValue(m, 'process_resident_memory_bytes');
    const fds = metricValue(m, 'process_open_fds');
    const handles = metricValue(m, 'nodejs_active_handles_total');
    const lag = metricValue(m, LAG_P99_METRIC);
    if (memory.heapAfterGc === undefined) return this.miss(server.id, 'no heap after gc: the server runs without --expose-gc');
    if (rss === undefined || fds === undefined || handles === undefined || lag === undefined)
      return this.miss(server.id, 'metrics incomplete');
    return {
      t,
      phase,
      server: server.id,
      pid,
      rssBytes: rss,
      heapUsedBytes: memory.heapUsed,
      heapAfterGcBytes: memory.heapAfterGc,
      gcMs: memory.gcMs ?? 0,
      fds,
      handles,
      lagP99Ms: Math.max(0, Number((lag * 1000 - LAG_TIMER_MS).toFixed(2))),
      ...(connections !== undefined && { connections }),
    };
  }

  private miss(server: string, reason: string): undefined {
    const key = `${server}: ${reason}`;
    this.misses.set(key, (this.misses.get(key) ?? 0) + 1);
    return undefined;
  }
}
