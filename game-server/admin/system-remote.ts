import type { Remote } from '../handler-registry';
import type { ServerMetrics } from '../metrics/server-metrics';
import type { MetricsSnapshot, StatusQuery, SystemStatus } from './admin-messages';
import type { StatusBoard } from './status-board';

/**
 * The `__system` remote every server has: status and metrics for operator tools, over the
 * authenticated internal RPC port (so only holders of RPC_SECRET can ask).
 */
export function createSystemRemote(status: StatusBoard, metrics: ServerMetrics): Remote {
  return {
    status: (query?: StatusQuery): Promise<SystemStatus> => status.read({ details: query?.details === true }),
    metrics: (): Promise<MetricsSnapshot> => metrics.snapshot(),
  };
}
