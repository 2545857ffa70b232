/** What the built-in `__system` remote answers: the operator's view of one server. */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { LinkState } from '../rpc/rpc-messages';

/** The name every server registers its system remote under; clients can never reach remotes. */
export const SYSTEM_REMOTE = '__system';

export interface StatusQuery {
  /** Ask for the long lists too (e.g. every room), not only the counts. */
  details?: boolean;
  /**
   * Collect garbage first and report the heap after it (`memory.heapAfterGc`): only a server started
   * with `--expose-gc` (the soak's) can, others ignore it. A full collection pauses the server.
   */
  gc?: boolean;
}

/** Adds fields to a server's status; the application registers these with `app.addStatus`. */
export type StatusProvider = (query: StatusQuery) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** The runtime's own fields; providers' fields sit next to them (the runtime's win a clash). */
export interface BuiltinStatus {
  id: string;
  type: string;
  host: string;
  /** Absent on a server without an internal port. */
  port?: number;
  clientPort?: number;
  pid: number;
  node: string;
  startedAt: string;
  uptimeSeconds: number;
  /** `heapAfterGc` (bytes) and `gcMs` (how long the collection took) only when asked with `gc` on a server with `--expose-gc`. */
  memory: { rss: number; heapUsed: number; heapTotal: number; heapAfterGc?: number; gcMs?: number };
  /** Open client sockets (frontends only). */
  connections?: number;
  /** Client sockets bound to a user (frontends only). */
  sessions?: number;
  /** Client requests received since start (frontends only). */
  requests?: number;
  /** The state of each internal link this server keeps, by peer id. */
  links?: Record<string, LinkState>;
}

export type SystemStatus = BuiltinStatus & Record<string, unknown>;

/** Which metrics to answer with (all of them without `names`). */
export interface MetricsQuery {
  names?: string[];
}

/** One server's metrics as prom-client's `getMetricsAsJSON` gives them, labelled with the server id. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];
