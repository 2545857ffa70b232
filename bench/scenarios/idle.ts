/** Idle: connected, entered, silent clients; resident memory of every server process before and after. */
import { rssBytes } from '../proc-stats';
import type { Sizes } from '../sizes';
import { sleep } from '../../game-server/sleep';
import { requireAllEntered, usersInRooms, type Figure, type ScenarioContext, type ScenarioResult } from './scenario';

const MiB = 1024 * 1024;

export async function runIdle(ctx: ScenarioContext, size: Sizes['idle']): Promise<ScenarioResult> {
  const processes = await ctx.target.processes();
  const before = new Map(processes.map((p) => [p.pid, rssBytes(p.pid) ?? 0]));
  const entered = await ctx.pool.enter(ctx.target.gate, usersInRooms(size.users, size.roomSize, 'idle'));
  requireAllEntered(entered);
  await sleep(size.settleMs);
  // The adapter's workers share one port: its connections are split between them (round robin).
  const sharing = (port: number): number => processes.filter((p) => p.clientPort === port).length;
  const rows = processes.map((p) => {
    const after = rssBytes(p.pid) ?? 0;
    const connections = p.clientPort === undefined ? 0 : (entered.perPort[p.clientPort] ?? 0) / sharing(p.clientPort);
    return { name: p.name, role: p.role, rssBefore: before.get(p.pid)!, rssAfter: after, connections };
  });
  await ctx.pool.disconnectAll();
  // Connectors (the baseline is its own connector) hold the sockets: their growth per connection.
  const holders = rows.filter((r) => r.connections > 0);
  const connections = holders.reduce((n, r) => n + r.connections, 0);
  const growth = holders.reduce((n, r) => n + r.rssAfter - r.rssBefore, 0);
  const total = rows.reduce((n, r) => n + r.rssAfter, 0);
  for (const r of rows)
    ctx.log(
      `  ${r.name}: ${(r.rssBefore / MiB).toFixed(1)} -> ${(r.rssAfter / MiB).toFixed(1)} MiB, ${Math.round(r.connections)} connections`,
    );
  const figures: Figure[] = [
    { name: 'connector RSS growth per connection', unit: 'KiB', value: Number((growth / Math.max(1, connections) / 1024).toFixed(1)) },
    { name: 'RSS of all server processes', unit: 'MiB', value: Number((total / MiB).toFixed(1)) },
    ...rows.map((r) => ({
      name: `RSS ${r.role === 'baseline' ? 'of the process' : r.name}`,
      unit: 'MiB',
      value: Number((r.rssAfter / MiB).toFixed(1)),
    })),
  ];
  return { figures, details: { users: size.users, entered: entered.entered, processes: rows } };
}
