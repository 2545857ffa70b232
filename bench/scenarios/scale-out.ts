/**
 * The scale-out count: one fixed, moderate chat load on the cluster with 2, 4 and 8 connectors and chat
 * servers (the adapter with 2, 4 and 8 workers), counting what travels between the target's own
 * processes per delivered message, from the servers' counters. No peak search: every layout gets the
 * same offered rate, and a layout that did not keep up says so.
 */
import { sleep } from '../../game-server/sleep';
import type { LoadPool, MergedLoad } from '../load/load-pool';
import type { ScaleSize } from '../sizes';
import { trafficBetween, type InternalTraffic } from '../targets/internal-traffic';
import type { Target } from '../targets/target';
import { requireAllEntered, usersInRooms, type Figure, type ScenarioResult } from './scenario';

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

const SETTLE_POLL_MS = 300;
const SETTLE_TIMEOUT_MS = 15_000;

/** Stops sending and waits until every send is answered and deliveries stopped coming; the counts since the last reset. */
async function settle(pool: LoadPool): Promise<MergedLoad> {
  await pool.setRate(0);
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let last = -1;
  for (;;) {
    await sleep(SETTLE_POLL_MS);
    const load = await pool.report();
    const answered = load.acked + load.errors >= load.sent;
    if ((answered && load.deliveries === last) || Date.now() > deadline) return load;
    last = load.deliveries;
  }
}

async function countOne(target: CountingTarget, ctx: ScaleContext, size: ScaleSize, n: number): Promise<ScalePoint> {
  const { pool } = ctx;
  requireAllEntered(await pool.enter(target.gate, usersInRooms(size.clients, size.roomSize, 'scale')));
  const sendsPerSec = size.deliveries / size.roomSize;
  await pool.setRate(sendsPerSec);
  await sleep(size.warmupMs);
  // The counters are read with nothing in flight, so that both snapshots and the load generators'
  // counts cover the same messages: the window's sends, their answers, pushes and deliveries.
  await settle(pool);
  const before = await target.internalTraffic();
  await pool.reset();
  await pool.setRate(sendsPerSec);
  await sleep(size.windowMs);
  const sending = await pool.report();
  const load = await settle(pool);
  const traffic = trafficBetween(before, await target.internalTraffic());
  await pool.disconnectAll();
  const seconds = sending.elapsedMs / 1000;
  const deliveries = traffic.delivered ?? traffic.sends * size.roomSize;
  const per = (n: number, of: number): number => n / Math.max(1, of);
  return {
    n,
    serverProcesses: (await target.processes()).length,
    offeredSendsPerSec: round(sendsPerSec, 1),
    sentPerSec: round(sending.sent / seconds, 1),
    deliveredPerSec: Math.round(sending.deliveries / seconds),
    p99Ms: round(load.latency.quantile(0.99), 2),
    loadGenDeliveries: load.deliveries,
    deliveries,
    traffic,
    messagesPerDelivery: round(per(traffic.messages, deliveries)),
    bytesPerDelivery: round(per(traffic.bytes, deliveries), 1),
    messagesPerSend: round(per(traffic.messages, traffic.sends), 2),
    bytesPerSend: Math.round(per(traffic.bytes, traffic.sends)),
    ...(traffic.pushes !== undefined && { pushesPerSend: round(per(traffic.pushes, traffic.sends), 2) }),
    lagging: sending.deliveries < 0.9 * sending.sent * size.roomSize || sending.sent < 0.9 * sendsPerSec * seconds,
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
