/** Join storm: users through gate, connector and enter, as fast as they complete (bounded concurrency per load worker). */
import type { Sizes } from '../sizes';
import { usersInRooms, type ScenarioContext, type ScenarioResult } from './scenario';

export async function runJoinStorm(ctx: ScenarioContext, size: Sizes['join']): Promise<ScenarioResult> {
  const entered = await ctx.pool.enter(ctx.target.gate, usersInRooms(size.users, size.roomSize, 'join'));
  await ctx.pool.disconnectAll();
  const perSecond = Math.round(entered.entered / (entered.durationMs / 1000));
  const q = (p: number): number => Number(entered.latency.quantile(p).toFixed(2));
  ctx.log(
    `  ${entered.entered} entered (${entered.failed} failed) in ${Math.round(entered.durationMs)} ms: ${perSecond}/s, p99 ${q(0.99)} ms`,
  );
  return {
    figures: [
      { name: 'enters', unit: '/s', value: perSecond },
      { name: 'enter p50', unit: 'ms', value: q(0.5) },
      { name: 'enter p99', unit: 'ms', value: q(0.99) },
      { name: 'failed enters', unit: '', value: entered.failed },
    ],
    details: {
      users: size.users,
      entered: entered.entered,
      failed: entered.failed,
      ...(entered.firstError !== undefined && { firstError: entered.firstError }),
      durationMs: Math.round(entered.durationMs),
      maxMs: entered.latency.maxMs,
    },
  };
}
