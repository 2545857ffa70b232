/** Join storm: users through gate, connector and enter, as fast as they complete (bounded concurrency per load worker). */
import { CORES, cpuDuring } from '../proc-stats';
import type { Sizes } from '../sizes';
import { usersInRooms, type ScenarioContext, type ScenarioResult } from './scenario';

export async function runJoinStorm(ctx: ScenarioContext, size: Sizes['join']): Promise<ScenarioResult> {
  const processes = await ctx.target.processes();
  const serverPids = processes.map((p) => p.pid);
  const loadPids = ctx.pool.pids;
  const users = usersInRooms(size.users, size.roomSize, 'join');
  const { result: entered, ms } = await cpuDuring([...serverPids, ...loadPids], () => ctx.pool.enter(ctx.target.gate, users));
  await ctx.pool.disconnectAll();
  const perSecond = Math.round(entered.entered / (entered.durationMs / 1000));
  const q = (p: number): number => Number(entered.latency.quantile(p).toFixed(2));
  // Where an enter's CPU goes: with the servers and the load generator sharing the machine's cores, the
  // rate can never pass cores / (server + load generator CPU per enter), whatever the servers do.
  const perEnter = (n: number): number => Number((n / Math.max(1, entered.entered)).toFixed(3));
  const serverMs = ms.slice(0, serverPids.length);
  const loadMs = ms.slice(serverPids.length).reduce((n, x) => n + x, 0);
  const serverTotal = serverMs.reduce((n, x) => n + x, 0);
  const busy = (serverTotal + loadMs) / entered.durationMs / CORES;
  const perProcess = Object.fromEntries(processes.map((p, i) => [p.name, perEnter(serverMs[i]!)]));
  ctx.log(
    `  ${entered.entered} entered (${entered.failed} failed) in ${Math.round(entered.durationMs)} ms: ${perSecond}/s, p99 ${q(0.99)} ms;` +
      ` CPU per enter: servers ${perEnter(serverTotal)} ms [${Object.values(perProcess).join(' ')}], load generator ${perEnter(loadMs)} ms;` +
      ` machine ${(busy * 100).toFixed(0)}% busy`,
  );
  return {
    figures: [
      { name: 'enters', unit: '/s', value: perSecond },
      { name: 'enter p50', unit: 'ms', value: q(0.5) },
      { name: 'enter p99', unit: 'ms', value: q(0.99) },
      { name: 'failed enters', unit: '', value: entered.failed },
      { name: 'server CPU per enter', unit: 'ms', value: perEnter(serverTotal) },
      { name: 'load generator CPU per enter', unit: 'ms', value: perEnter(loadMs) },
      { name: 'machine busy during the storm', unit: `% of ${CORES} cores`, value: Number((busy * 100).toFixed(1)) },
    ],
    details: {
      users: size.users,
      entered: entered.entered,
      failed: entered.failed,
      ...(entered.firstError !== undefined && { firstError: entered.firstError }),
      durationMs: Math.round(entered.durationMs),
      maxMs: entered.latency.maxMs,
      serverCpuMsPerEnter: perProcess,
    },
  };
}
