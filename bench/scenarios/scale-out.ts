/**
 * The scale-out count: one fixed, moderate chat load on the cluster with 2, 4 and 8 connectors and chat
 * servers (the adapter with 2, 4 and 8 workers), counting what travels between the target's own
 * processes per delivered message, from the servers' counters. No peak search: every layout gets the
 * same offered rate, and a layout that did not keep up says so.
 */
import type { LoadPool } from '../load/load-pool';
import type { ScaleSize } from '../sizes';
import { trafficBetween, type InternalTraffic } from '../targets/internal-traffic';
import type { Target } from '../targets/target';
import { requireAllEntered, sleep, usersInRooms, type Figure, type ScenarioResult } from './scenario';

/** A target that counts its internal traffic. */
export interface CountingTarget extends Target {
  internalTraffic(): Promise<InternalTraffic>;
}

export interface ScaleContext {
  pool: LoadPool;
  log: (line: string) => void;
  /** Starts the target with `n` connectors and chat servers (cluster) or `n` workers (adapter), runs `body`, stops it. */
  withTarget: <T>(n: number, body: (target: CountingTarget) => Promise<T>) => Promise<T>;
}

export interface ScalePoint {
  /** Connectors = chat servers (cluster), or workers (adapter). */
  n: number;
  /** Every server process of the target (the cluster's gate and the adapter's primary included). */
  serverProcesses: number;
  offeredSendsPerSec: number;
  sentPerSec: number;
  deliveredPerSec: number;
  p99Ms: number;
  /** Messages sent and deliveries counted by the load generators in the window (the denominators below). */
  sent: number;
  deliveries: number;
  traffic: InternalTraffic;
  messagesPerDelivery: number;
  bytesPerDelivery: number;
  messagesPerSend: number;
  bytesPerSend: number;
  /** The cluster's pushes per message sent: connectors that held members of its room. */
  pushesPerSend?: number;
  /** Fewer than 90 % of the expected deliveries arrived: the layout did not keep up with the fixed load. */
  lagging: boolean;
}

const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

async function countOne(target: CountingTarget, ctx: ScaleContext, size: ScaleSize, n: number): Promise<ScalePoint> {
  const { pool } = ctx;
  requireAllEntered(await pool.enter(target.gate, usersInRooms(size.clients, size.roomSize, 'scale')));
  const sendsPerSec = size.deliveries / size.roomSize;
  await pool.setRate(sendsPerSec);
  await sleep(size.warmupMs);
  // The counters and the load generators' window open and close together.
  const [before] = await Promise.all([target.internalTraffic(), pool.reset()]);
  await sleep(size.windowMs);
  const [load, after] = await Promise.all([pool.report(), target.internalTraffic()]);
  const traffic = trafficBetween(before, after);
  await pool.setRate(0);
  await pool.disconnectAll();
  const seconds = load.elapsedMs / 1000;
  const deliveries = Math.max(1, load.deliveries);
  return {
    n,
    serverProcesses: (await target.processes()).length,
    offeredSendsPerSec: round(sendsPerSec, 1),
    sentPerSec: round(load.sent / seconds, 1),
    deliveredPerSec: Math.round(load.deliveries / seconds),
    p99Ms: round(load.latency.quantile(0.99), 2),
    sent: load.sent,
    deliveries: load.deliveries,
    traffic,
    messagesPerDelivery: round(traffic.messages / deliveries),
    bytesPerDelivery: round(traffic.bytes / deliveries, 1),
    messagesPerSend: round(traffic.messages / Math.max(1, load.sent), 2),
    bytesPerSend: Math.round(traffic.bytes / Math.max(1, load.sent)),
    ...(traffic.pushes !== undefined && { pushesPerSend: round(traffic.pushes / Math.max(1, load.sent), 2) }),
    lagging: load.deliveries < 0.9 * load.sent * size.roomSize,
  };
}

export async function runScaleOut(ctx: ScaleContext, size: ScaleSize, maxLayouts = Infinity): Promise<ScenarioResult> {
  const points: ScalePoint[] = [];
  for (const n of size.processes.slice(0, maxLayouts)) {
    const point = await ctx.withTarget(n, (target) => countOne(target, ctx, size, n));
    ctx.log(
      `  n=${n} (${point.serverProcesses} server processes): delivered ${point.deliveredPerSec}/s p99 ${point.p99Ms} ms, ` +
        `${point.messagesPerDelivery} internal messages and ${point.bytesPerDelivery} bytes per delivery` +
        `${point.traffic.pushes === undefined ? '' : ` (${point.traffic.pushes} pushes in ${point.traffic.messages} frames)`}` +
        `${point.lagging ? ' LAG' : ''}`,
    );
    points.push(point);
  }
  const figures: Figure[] = points.flatMap((p) => [
    { name: `internal messages per delivery, n=${p.n}`, unit: 'messages', value: p.messagesPerDelivery },
    { name: `internal bytes per delivery, n=${p.n}`, unit: 'bytes', value: p.bytesPerDelivery },
  ]);
  return { figures, details: { clients: size.clients, roomSize: size.roomSize, offeredDeliveries: size.deliveries, points } };
}
