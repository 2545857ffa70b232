/**
 * Finding every process a child started, however detached (a pm2 daemon, its servers, redis-server):
 * give the child an environment variable of its own, and look for it in /proc/<pid>/environ.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The pids of the processes whose environment holds `name=value` (those this user may read). */
export function processesWithEnv(name: string, value: string): number[] {
  const entry = Buffer.from(`${name}=${value}\0`);
  const pids: number[] = [];
  for (const dir of readdirSync('/proc')) {
    if (!/^\d+$/.test(dir)) continue;
    try {
      if (readFileSync(`/proc/${dir}/environ`).includes(entry)) pids.push(Number(dir));
    } catch {
      // gone meanwhile, or another user's
    }
  }
  return pids;
}
