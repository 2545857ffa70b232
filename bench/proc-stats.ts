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

/**
 * `body`'s result, the CPU time (ms) each of `pids` spent while it ran, and each one's core waits in that
 * time (the scheduler's delay before each run: a woken server waiting for a busy core).
 */
export async function cpuDuring<T>(
  pids: readonly number[],
  body: () => Promise<T>,
): Promise<{ result: T; ms: number[]; waits: CoreWaits[] }> {
  const before = pids.map(cpuMs);
  const waitsBefore = pids.map(coreWaits);
  const result = await body();
  const waits = pids.map((pid, i) => {
    const after = coreWaits(pid);
    return { waitNs: after.waitNs - waitsBefore[i]!.waitNs, runs: after.runs - waitsBefore[i]!.runs };
  });
  return { result, ms: pids.map((pid, i) => cpuMs(pid) - before[i]!), waits };
}

/** Time a process spent runnable but waiting for a core, and how many times it got one (/proc/<pid>/schedstat). */
export interface CoreWaits {
  waitNs: number;
  runs: number;
}

/** The process's core waits so far; none if it is gone. */
export function coreWaits(pid: number): CoreWaits {
  try {
    const [, waitNs, runs] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { waitNs: waitNs ?? 0, runs: runs ?? 0 };
  } catch {
    return { waitNs: 0, runs: 0 };
  }
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
