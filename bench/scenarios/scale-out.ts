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
  /** Deliveries the load generators counted in the window (a check on the servers' counts). */
  loadGenDeliveries: number;
  /**
   * Deliveries by the servers' counters, in the same snapshots as the internal traffic: the cluster's
   * connectors count them; the adapter's workers count the broadcasts, each to a full room.
   */
  deliveries: number;
  traffic: InternalTraffic;
  messagesPerDelivery: number;
  bytesPerDelivery: number;
  messagesPerSend: number;
  bytesPerSend: number;
  /** The cluster's pushes per message sent: connectors that held members of its room. */
  pushesPerSend?: number;
  /** Fewer than 90 % of the offered sends went out or of the expected deliveries arrived: the machine did not keep up. */
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
  const deliveries = traffic.delivered ?? traffic.sends * size.roomSize;
  const per = (n: number, of: number): number => n / Math.max(1, of);
  return {
    n,
    serverProcesses: (await target.processes()).length,
    offeredSendsPerSec: round(sendsPerSec, 1),
    sentPerSec: round(load.sent / seconds, 1),
    deliveredPerSec: Math.round(load.deliveries / seconds),
    p99Ms: round(load.latency.quantile(0.99), 2),
    loadGenDeliveries: load.deliveries,
    deliveries,
    traffic,
    messagesPerDelivery: round(per(traffic.messages, deliveries)),
    bytesPerDelivery: round(per(traffic.bytes, deliveries), 1),
    messagesPerSend: round(per(traffic.messages, traffic.sends), 2),
    bytesPerSend: Math.round(per(traffic.bytes, traffic.sends)),
    ...(traffic.pushes !== undefined && { pushesPerSend: round(per(traffic.pushes, traffic.sends), 2) }),
    lagging: load.deliveries < 0.9 * load.sent * size.roomSize || load.sent < 0.9 * sendsPerSec * seconds,
  };
}

export async function runScaleOut(ctx: ScaleContext, size: ScaleSize, maxLayouts = Infinity): Promise<ScenarioResult> {
  const points: ScalePoint[] = [];
  for (const n of size.processes.slice(0, maxLayouts)) {
    const point = await ctx.withTarget(n, (target) => countOne(target, ctx, size, n));
    ctx.log(
      `  n=${n} (${point.serverProcesses} server processes): delivered ${point.deliveredPerSec}/s p99 ${point.p99Ms} ms, ` +
        `${point.messagesPerDelivery} internal messages and ${point.bytesPerDelivery} bytes per delivery, ` +
        `${point.messagesPerSend} and ${point.bytesPerSend} per message sent` +
        `${point.pushesPerSend === undefined ? '' : ` (${point.pushesPerSend} pushes per message)`}` +
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
