import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../project-root';

const run = promisify(execFile);

export interface Pm2App {
  name: string;
  pid: number;
  status: string;
  restarts: number;
  memory: number;
  /** The file pm2 runs, and whether it restarts the app on change. */
  script: string;
  watch: boolean;
  /** When pm2 started the process (ms since the epoch). */
  startedAt: number;
}

/** Runs the project's pm2 CLI with `env` (its PM2_HOME picks the daemon; `npm start`'s by default). */
export async function pm2InEnv(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [require.resolve('pm2/bin/pm2'), ...args], {
    cwd: projectRoot(),
    env,
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** Runs the project's pm2 CLI (PM2_HOME from the environment, as for `npm start`). */
export function pm2(...args: string[]): Promise<string> {
  return pm2InEnv(process.env, ...args);
}

/**
 * The check `npm start` makes before pm2 starts anything: `node ecosystem.config.js`, which applies every
 * rule the servers apply (the application's included). Its one-line message, or undefined when all is well.
 */
export async function ecosystemConfigProblem(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  try {
    await run(process.execPath, [path.join(projectRoot(), 'ecosystem.config.js')], { cwd: projectRoot(), env, timeout: 60_000 });
    return undefined;
  } catch (err) {
    const { stderr, message } = err as { stderr?: string; message: string };
    return stderr?.trim() || message;
  }
}

/** The apps of `pm2 jlist` output. */
export function parsePm2List(jlist: string): Pm2App[] {
  const raw = JSON.parse(jlist) as {
    name: string;
    pid: number;
    pm2_env: { status: string; restart_time: number; pm_exec_path: string; watch: unknown; pm_uptime: number };
    monit: { memory: number };
  }[];
  return raw.map((p) => ({
    name: p.name,
    pid: p.pid,
    status: p.pm2_env.status,
    restarts: p.pm2_env.restart_time,
    memory: p.monit.memory,
    script: p.pm2_env.pm_exec_path,
    watch: Boolean(p.pm2_env.watch),
    startedAt: p.pm2_env.pm_uptime,
  }));
}

export async function pm2List(): Promise<Pm2App[]> {
  return parsePm2List(await pm2('jlist'));
}
