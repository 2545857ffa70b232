import type { MetricsSnapshot } from '../../game-server/admin/admin-messages';

/**
 * What a scenario runs against: the cluster under pm2 (on its --store; `cluster-redis` on a Redis of its
 * own, to set the Redis store beside the memory one; `cluster-tls` with mutual TLS on its internal links),
 * the single-process baseline, or socket.io's cluster adapter serving the baseline's chat (`adapter`) or
 * routes and pushes only (`adapter-bare`).
 */
export type TargetName = 'cluster' | 'cluster-redis' | 'cluster-sentinel' | 'cluster-tls' | 'baseline' | 'adapter' | 'adapter-bare';

export interface ServerProcess {
  /** Server id (cluster) or `baseline`. */
  name: string;
  /** `gate`, `connector`, `chat`, `redis` (a Redis store's own server), `baseline` (which is all three), `adapter-primary` or `adapter-worker`. */
  role: string;
  pid: number;
  /** Client port, for frontends. */
  clientPort?: number;
}

export interface Target {
  readonly name: TargetName;
  readonly gate: { host: string; port: number };
  /** The server processes, with their pids now. */
  processes(): Promise<ServerProcess[]>;
  /** Every pid this target started (daemons included), to check afterwards that all are gone. */
  startedPids(): number[];
  stop(): Promise<void>;
  /**
   * Every server's own metrics, by server name (the cluster's /metrics, asked on each RPC port), or only the
   * metrics `names` lists; absent where servers keep none.
   */
  metrics?(names?: string[]): Promise<Map<string, MetricsSnapshot>>;
}
