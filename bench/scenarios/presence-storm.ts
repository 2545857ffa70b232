/**
 * Presence storm: many users enter one room as fast as they complete. Past PRESENCE_MAX_MEMBERS the
 * room sends no onAdd/onLeave, so the presence pushes stay within cap (cap - 1) / 2 instead of growing as
 * n (n - 1) / 2; the connectors' peak memory (VmHWM: each server was started for this scenario) shows
 * whether the storm floods them.
 */
import { Push } from '../../app/protocol';
import { sleep } from '../../game-server/sleep';
import { peakRssBytes, rssBytes } from '../proc-stats';
import type { PresenceSize } from '../sizes';
import { sumMetric } from '../targets/internal-traffic';
import type { Target } from '../targets/target';
import { isHolder } from './holder-memory';
import { usersInRooms, type Figure, type ScenarioContext, type ScenarioResult } from './scenario';

const MiB = 1024 * 1024;
const POLL_MS = 300;
const PUSH_WAIT_TIMEOUT_MS = 30_000;

/** The servers' PRESENCE_MAX_MEMBERS (the bench passes the environment on; 1000 is the servers' default). */
export const presenceCap = (env: NodeJS.ProcessEnv = process.env): number => Number(env.PRESENCE_MAX_MEMBERS ?? 1000);

/**
 * The most presence pushes `users` entering one room may cause with the cap: every newcomer up to the cap
 * tells those before it, cap (cap - 1) / 2. A connector delivers a room's push to the sockets it holds in
 * the room when the push arrives, so a newcomer may also get the onAdd of users whose enters ran beside its
 * own: `inFlight` enters at a time add at most inFlight pushes per newcomer up to the cap.
 */
export const cappedPushBound = (users: number, cap: number, inFlight: number): { exact: number; withRaces: number } => {
  const m = Math.min(users, cap);
  return { exact: (m * (m - 1)) / 2, withRaces: (m * (m - 1)) / 2 + m * inFlight };
};

const presencePushes = (pushes: Record<string, number>): number => (pushes[Push.add] ?? 0) + (pushes[Push.leave] ?? 0);

/** onAdd and onLeave the servers say they wrote to clients (the cluster's connectors count them); undefined elsewhere. */
async function serverPresencePushes(target: Target): Promise<number | undefined> {
  if (!target.metrics) return undefined;
  const snapshots = [...(await target.metrics()).values()];
  return [Push.add, Push.leave].reduce((n, route) => n + sumMetric(snapshots, 'client_messages_out_total', { route }), 0);
}

export async function runPresenceStorm(ctx: ScenarioContext, size: PresenceSize): Promise<ScenarioResult> {
  const holders = (await ctx.target.processes()).filter(isHolder);
  const rssBefore = holders.reduce((n, p) => n + (rssBytes(p.pid) ?? 0), 0);
  const serverBefore = await serverPresencePushes(ctx.target);
  await ctx.pool.reset();
  const entered = await ctx.pool.enter(ctx.target.gate, usersInRooms(size.users, size.users, 'storm'));
  // Pushes still on their way: wait until the count stops growing (at least settleMs).
  await sleep(size.settleMs);
  const deadline = Date.now() + PUSH_WAIT_TIMEOUT_MS;
  let pushes = (await ctx.pool.report()).pushes;
  for (;;) {
    await sleep(POLL_MS);
    const now = (await ctx.pool.report()).pushes;
    const settled = presencePushes(now) === presencePushes(pushes);
    pushes = now;
    if (settled || Date.now() > deadline) break;
  }
  const received = presencePushes(pushes);
  const serverAfter = await serverPresencePushes(ctx.target);
  const served = serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore;
  const peak = holders.reduce((n, p) => n + (peakRssBytes(p.pid) ?? 0), 0);
  await ctx.pool.disconnectAll();

  const cap = presenceCap();
  const bound = cappedPushBound(entered.entered, cap, ctx.pool.enterConcurrency);
  const uncapped = (entered.entered * (entered.entered - 1)) / 2;
  const seconds = entered.durationMs / 1000;
  const within = received <= bound.withRaces && (served ?? 0) <= bound.withRaces;
  ctx.log(
    `  ${entered.entered} in (${entered.failed} failed) after ${Math.round(entered.durationMs)} ms; presence pushes received ${received}` +
      `${served === undefined ? '' : `, written by the connectors ${served}`} (with the cap of ${cap}: ${bound.exact}, or ${bound.withRaces} with enters in flight; without: ${uncapped});` +
      ` connectors' peak RSS ${(peak / MiB).toFixed(1)} MiB (${(rssBefore / MiB).toFixed(1)} before)`,
  );
  const figures: Figure[] = [
    { name: 'time until all are in', unit: 'ms', value: Math.round(entered.durationMs) },
    { name: 'enters', unit: '/s', value: Math.round(entered.entered / seconds) },
    { name: 'failed enters', unit: '', value: entered.failed },
    { name: 'enter p99', unit: 'ms', value: Number(entered.latency.quantile(0.99).toFixed(2)) },
    { name: 'presence pushes received', unit: '', value: received },
    ...(served === undefined ? [] : [{ name: 'presence pushes written by the connectors', unit: '', value: served }]),
    { name: 'presence pushes per user', unit: '', value: Number((received / Math.max(1, entered.entered)).toFixed(1)) },
    { name: 'presence pushes, share of n(n-1)/2', unit: '%', value: Number(((100 * received) / Math.max(1, uncapped)).toFixed(2)) },
    { name: 'presence pushes, share of cap(cap-1)/2', unit: '%', value: Number(((100 * received) / Math.max(1, bound.exact)).toFixed(2)) },
    { name: `presence pushes within the cap's bound, cap ${cap} (1 yes, 0 no)`, unit: '', value: within ? 1 : 0 },
    { name: 'connector peak RSS', unit: 'MiB', value: Number((peak / MiB).toFixed(1)) },
    { name: 'connector RSS before', unit: 'MiB', value: Number((rssBefore / MiB).toFixed(1)) },
  ];
  return {
    figures,
    details: {
      users: size.users,
      entered: entered.entered,
      failed: entered.failed,
      ...(entered.firstError !== undefined && { firstError: entered.firstError }),
      durationMs: Math.round(entered.durationMs),
      presenceCap: cap,
      pushBound: bound.exact,
      pushBoundWithEntersInFlight: bound.withRaces,
      entersInFlight: ctx.pool.enterConcurrency,
      uncappedPushes: uncapped,
      received,
      pushesByName: pushes,
      ...(served !== undefined && { served }),
      peakRssByHolder: Object.fromEntries(holders.map((p) => [p.name, peakRssBytes(p.pid) ?? 0])),
    },
  };
}
