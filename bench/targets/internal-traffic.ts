import { Push, Route } from '../../app/protocol';
import type { MetricsSnapshot } from '../../game-server/admin/admin-messages';

/** Traffic between a target's own processes, summed over all of them since they started. */
export interface InternalTraffic {
  /** Messages between processes: frames on the cluster's RPC links, IPC messages of the adapter. */
  messages: number;
  bytes: number;
  /** Chat messages the servers took from clients (the cluster's send requests, the adapter's onChat broadcasts). */
  sends: number;
  /** The cluster's pushes (chat server -> connector) before batching into frames; absent for the adapter. */
  pushes?: number;
  /** Pushes the servers delivered to client sockets, by their own count; absent for the adapter. */
  delivered?: number;
}

/** The sum of a metric's series whose labels include `labels`, over every server's snapshot. */
export function sumMetric(snapshots: readonly MetricsSnapshot[], name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const snapshot of snapshots) {
    for (const metric of snapshot) {
      if (metric.name !== name) continue;
      for (const v of metric.values) {
        if (Object.entries(labels).every(([k, want]) => v.labels[k] === want)) sum += v.value;
      }
    }
  }
  return sum;
}

/** The cluster's internal traffic from its servers' /metrics counters. */
export function clusterTraffic(snapshots: readonly MetricsSnapshot[]): InternalTraffic {
  return {
    messages: sumMetric(snapshots, 'rpc_link_frames_total'),
    bytes: sumMetric(snapshots, 'rpc_link_bytes_total'),
    sends: sumMetric(snapshots, 'client_messages_in_total', { route: Route.send }),
    pushes: sumMetric(snapshots, 'rpc_pushes_total', { result: 'sent' }),
    delivered: sumMetric(snapshots, 'client_messages_out_total', { route: Push.chat }),
  };
}

export function trafficBetween(before: InternalTraffic, after: InternalTraffic): InternalTraffic {
  return {
    messages: after.messages - before.messages,
    bytes: after.bytes - before.bytes,
    sends: after.sends - before.sends,
    ...(after.pushes !== undefined && { pushes: after.pushes - (before.pushes ?? 0) }),
    ...(after.delivered !== undefined && { delivered: after.delivered - (before.delivered ?? 0) }),
  };
}
