/** Resident memory and CPU time of a process, from /proc (Linux). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export { isRunning as isAlive } from '../game-server/cli/private-pm2-cluster';

/** The machine's cores: the servers and the load generator share them. */
export const CORES = os.availableParallelism();

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  return ticksPerSecond;
}

/** Resident set size in bytes, or undefined if the process is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The most resident memory the process has had since it started (VmHWM), in bytes, or undefined if it is gone. */
export function peakRssBytes(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** `body`'s result, and the CPU time (ms) each of `pids` spent while it ran. */
export async function cpuDuring<T>(pids: readonly number[], body: () => Promise<T>): Promise<{ result: T; ms: number[] }> {
  const before = pids.map(cpuMs);
  const result = await body();
  return { result, ms: pids.map((pid, i) => cpuMs(pid) - before[i]!) };
}

/** User + system CPU time in ms, or 0 if the process is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3; utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return 0;
  }
}
