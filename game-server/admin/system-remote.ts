import type { ServerInfo } from '../config/server-info';
import type { RemoteContext } from '../contract/remote-token';
import type { Remote } from '../handler-registry';
import type { ServerMetrics } from '../metrics/server-metrics';
import type { MetricsQuery, MetricsSnapshot, StatusQuery, SystemStatus } from './admin-messages';
import type { StatusBoard } from './status-board';

/** More names than a server has metrics is not a query anyone means. */
const MAX_METRIC_NAMES = 100;

/**
 * The `__system` remote every server has: status and metrics for operator tools, over the
 * authenticated internal RPC port (so only holders of RPC_SECRET can ask).
 */
export function createSystemRemote(status: StatusBoard, metrics: ServerMetrics, cluster: ServersList): Remote {
  return {
    status: (_context: RemoteContext, query?: StatusQuery): Promise<SystemStatus> =>
      status.read({ details: query?.details === true, gc: query?.gc === true }),
    /** Every metric, or only those `query.names` lists (names that are not strings, or unknown, are left out). */
    metrics: (_context: RemoteContext, query?: MetricsQuery): Promise<MetricsSnapshot> => metrics.snapshot(metricNames(query)),
    /** Switches to the servers list now in config/servers.json (`npm run scale`); answers once done. */
    reload: (_context: RemoteContext) => cluster.reloadServers(),
    /** The servers list this server runs with now (before a reload: the previous one). */
    servers: (_context: RemoteContext): ServerInfo[] => cluster.allServers(),
    /** `__system.<method>(...args)` of a server without an internal port, passed on over the link it opened to this one. */
    relay: (_context: RemoteContext, targetId: string, method: string, args: unknown[]): Promise<unknown> =>
      cluster.relaySystemCall(targetId, method, args),
  };
}

/** What `reload`, `servers` and `relay` need of the application. */
export interface ServersList {
  reloadServers(): Promise<{ added: string[]; removed: string[] }>;
  allServers(): ServerInfo[];
  relaySystemCall(targetId: string, method: string, args: unknown[]): Promise<unknown>;
}

/** The names a metrics query asks for; undefined (every metric) when it names none. */
function metricNames(query: MetricsQuery | undefined): string[] | undefined {
  const names = query?.names;
  if (!Array.isArray(names)) return undefined;
  return names.filter((name): name is string => typeof name === 'string').slice(0, MAX_METRIC_NAMES);
}
