import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ServerInfo } from '../../game-server/config/server-info';
import { freePorts, waitForPort } from './free-port';
import { PROJECT_ROOT } from './cluster';
import { generateLayout, serversJson, type LayoutOptions } from './servers-layout';

const run = promisify(execFile);
const PM2 = path.join(PROJECT_ROOT, 'node_modules/.bin/pm2');

export interface Pm2Process {
  name: string;
  pid: number;
  status: string;
  restarts: number;
  memory: number;
  /** The file pm2 runs, and whether it restarts the app on change. */
  script: string;
  watch: boolean;
}

export interface Pm2ClusterOptions extends LayoutOptions {
  env?: Record<string, string>;
  /** A layout of your own instead of a generated one. */
  servers?: ServerInfo[];
  /** Start only the servers on this host (CLUSTER_HOST), as one host of a multi-host cluster would. */
  clusterHost?: string;
}

/**
 * The cluster started the way the README says, `pm2 start ecosystem.config.js`, but with a private
 * PM2_HOME and a generated servers.json on free ports, so it never touches another pm2 daemon.
 */
export class Pm2Cluster {
  private constructor(
    readonly dir: string,
    public servers: ServerInfo[],
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Rewrites this cluster's servers.json, as an operator editing config/servers.json would. */
  writeServers(servers: ServerInfo[]): void {
    this.servers = servers;
    writeFileSync(path.join(this.dir, 'servers.json'), serversJson(servers));
  }

  /** Runs `npm run scale`'s script against this cluster; returns what it printed. */
  async scale(): Promise<string> {
    const { stdout, stderr } = await run(process.execPath, [path.join(PROJECT_ROOT, 'dist/game-server/cli/scale.js')], {
      cwd: PROJECT_ROOT,
      env: this.env,
      timeout: 120_000,
    });
    return stdout + stderr;
  }

  static async start(options: Pm2ClusterOptions = {}): Promise<Pm2Cluster> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chat-pm2-'));
    const servers = options.servers ?? (await generateLayout(options));
    writeFileSync(path.join(dir, 'servers.json'), serversJson(servers));
    // The web server (pm2 app `web`) gets a free port too, never the 3001 of a cluster a developer runs.
    const [webPort] = await freePorts(1);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      WEB_HOST: '127.0.0.1',
      WEB_PORT: String(webPort),
      NODE_ENV: 'development',
      PM2_HOME: path.join(dir, 'pm2'),
      SERVERS_CONFIG: path.join(dir, 'servers.json'),
      DOTENV_PATH: path.join(dir, '.env'),
      ...(options.clusterHost && { CLUSTER_HOST: options.clusterHost }),
      ...options.env,
    };
    const cluster = new Pm2Cluster(dir, servers, env);
    try {
      await cluster.pm2('start', 'ecosystem.config.js');
      const local = servers.filter((s) => !options.clusterHost || s.host === options.clusterHost);
      await Promise.all(local.map((s) => waitForPort(s.host, s.clientPort ?? s.port, 20_000)));
      if (cluster.runsWeb) await waitForPort('127.0.0.1', webPort!, 20_000);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** Whether this host runs the web server: the one with the gate (all of them without CLUSTER_HOST). */
  get runsWeb(): boolean {
    const host = this.env.CLUSTER_HOST;
    return !host || this.servers.some((s) => s.serverType === 'gate' && s.host === host);
  }

  /** The browser client's address (pm2 app `web`). */
  get webUrl(): string {
    return `http://127.0.0.1:${this.env.WEB_PORT}/`;
  }

  get gate(): { host: string; port: number } {
    const gate = this.servers.find((s) => s.serverType === 'gate')!;
    return { host: gate.host, port: gate.clientPort! };
  }

  /** Runs the pm2 CLI against this cluster's daemon. */
  async pm2(...args: string[]): Promise<string> {
    const { stdout } = await run(PM2, args, { cwd: PROJECT_ROOT, env: this.env, timeout: 60_000 });
    return stdout;
  }

  /** Kills a server's process outright (pm2 will restart it); returns the pid that was killed. */
  async kill9(id: string): Promise<number> {
    const proc = (await this.list()).find((p) => p.name === id);
    if (!proc?.pid) throw new Error(`${id} is not running`);
    process.kill(proc.pid, 'SIGKILL');
    return proc.pid;
  }

  /** Resolves with the new pid once pm2 has `id` online again with a pid other than `oldPid`. */
  async waitForRestart(id: string, oldPid: number, timeoutMs = 15_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const proc = (await this.list()).find((p) => p.name === id);
      if (proc && proc.status === 'online' && proc.pid && proc.pid !== oldPid) return proc.pid;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${id} was not restarted within ${timeoutMs} ms`);
  }

  async list(): Promise<Pm2Process[]> {
    const raw = JSON.parse(await this.pm2('jlist')) as {
      name: string;
      pid: number;
      pm2_env: { status: string; restart_time: number; pm_exec_path: string; watch: unknown };
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
    }));
  }

  /** The last lines of every server's pm2 log. */
  async recentLogs(lines = 40): Promise<string> {
    return this.pm2('logs', '--nostream', '--lines', String(lines)).catch((err: Error) => err.message);
  }

  /** Kills the private daemon and its processes and removes the folder; safe to call twice. */
  async stop(): Promise<void> {
    if ((globalThis as { __testFailed?: boolean }).__testFailed)
      process.stderr.write(`\npm2 logs (a test failed):\n${await this.recentLogs()}\n`);
    await this.pm2('kill').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
