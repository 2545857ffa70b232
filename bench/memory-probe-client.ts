/** The runner's side of bench/memory-probe.ts: asks probed processes for their memory after a full GC. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sleep } from '../game-server/sleep';
import type { ProbedMemory } from './memory-probe';

const POLL_MS = 50;
const TIMEOUT_MS = 10_000;

/** The node flag that loads the probe into a server (CLUSTER_NODE_ARGS). */
export const probeNodeArgs = (): string => `--require ${path.join(__dirname, 'memory-probe.js')}`;

/** Each pid's memory after a full GC, or undefined when a process has no probe (or none answered in time). */
export async function probeMemory(dir: string | undefined, pids: readonly number[]): Promise<Map<number, ProbedMemory> | undefined> {
  if (!dir || !pids.every((pid) => existsSync(path.join(dir, `${pid}.ready`)))) return undefined;
  const files = pids.map((pid) => path.join(dir, `${pid}.json`));
  for (const file of files) rmSync(file, { force: true });
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + TIMEOUT_MS;
  while (!files.every(existsSync)) {
    if (Date.now() > deadline) return undefined;
    await sleep(POLL_MS);
  }
  return new Map(pids.map((pid, i) => [pid, JSON.parse(readFileSync(files[i]!, 'utf8')) as ProbedMemory]));
}
