import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { projectRoot } from '../project-root';

const run = promisify(execFile);

export interface Pm2App {
  name: string;
  pid: number;
  status: string;
  restarts: number;
}

/** Runs the project's pm2 CLI (PM2_HOME from the environment, as for `npm start`). */
export async function pm2(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [require.resolve('pm2/bin/pm2'), ...args], {
    cwd: projectRoot(),
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

export async function pm2List(): Promise<Pm2App[]> {
  const raw = JSON.parse(await pm2('jlist')) as { name: string; pid: number; pm2_env: { status: string; restart_time: number } }[];
  return raw.map((p) => ({ name: p.name, pid: p.pid, status: p.pm2_env.status, restarts: p.pm2_env.restart_time }));
}
