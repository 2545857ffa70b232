/** The cluster under pm2 with a daemon of its own: for tests and the benchmark, never touching another pm2. */
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../project-root';
import type { ServerInfo } from '../config/server-info';
import { generateLayout, serversJson, type LayoutOptions } from '../config/servers-layout';
import { freePorts, waitForPort } from '../net';
import { parsePm2List, pm2InEnv, type Pm2App } from './pm2-cli';

/** A pm2 app as the tests and the bench see it. */
export type Pm2Process = Pm2App;

export interface PrivateClusterOptions extends LayoutOptions {
  env?: Record<string, string>;
  /** A layout of your own instead of a generated one. */
  servers?: ServerInfo[];
  /** Start only the servers on this host (CLUSTER_HOST), as one host of a multi-host cluster would. */
  clusterHost?: string;
}

/**
 * The cluster started the way the README says, `pm2 start ecosystem.config.js`, but with a private
 * PM2_HOME and a generated servers.json on free ports in a temporary folder.
 */
export class PrivatePm2Cluster {
  /** `npm run scale` runs under way, ended by `stop`. */
  private readonly scaling = new Set<ChildProcess>();

  constructor(
    readonly dir: string,
    public servers: ServerInfo[],
    readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start<T extends PrivatePm2Cluster>(
    this: new (dir: string, servers: ServerInfo[], env: NodeJS.ProcessEnv) => T,
    options: PrivateClusterOptions = {},
  ): Promise<T> {
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
    const cluster = new this(dir, servers, env);
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

  /** Rewrites this cluster's servers.json, as an operator editing config/servers.json would. */
  writeServers(servers: ServerInfo[]): void {
    this.servers = servers;
    writeFileSync(path.join(this.dir, 'servers.json'), serversJson(servers));
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
  pm2(...args: string[]): Promise<string> {
    return pm2InEnv(this.env, ...args);
  }

  async list(): Promise<Pm2Process[]> {
    return parsePm2List(await this.pm2('jlist'));
  }

  /** Runs `npm run scale`'s script against this cluster (after `writeServers`); returns what it printed. */
  scale(timeoutMs = 120_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        process.execPath,
        [path.join(projectRoot(), 'dist/game-server/cli/scale.js')],
        { cwd: projectRoot(), env: this.env, timeout: timeoutMs },
        (err, stdout, stderr) => {
          this.scaling.delete(child);
          if (err) reject(new Error(`npm run scale failed: ${err.message}\n${stdout}${stderr}`));
          else resolve(stdout + stderr);
        },
      );
      this.scaling.add(child);
    });
  }

  /** Kills a server's process outright (pm2 will restart it); returns the pid that was killed. */
  async kill9(id: string): Promise<number> {
    const proc = (await this.list()).find((p) => p.name === id);
    if (!proc?.pid) throw new Error(`${id} is not running`);
    process.kill(proc.pid, 'SIGKILL');
    return proc.pid;
  }

  /** The private pm2 daemon's pid, if it runs. */
  daemonPid(): number | undefined {
    const file = path.join(this.dir, 'pm2', 'pm2.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8')) || undefined : undefined;
  }

  /** Kills the private daemon and its processes and removes the folder; safe to call twice. */
  async stop(): Promise<void> {
    for (const child of this.scaling) child.kill('SIGKILL');
    const daemon = this.daemonPid();
    await this.pm2('kill').catch(() => undefined);
    // `pm2 kill` answers before its daemon has quite exited.
    for (let waited = 0; daemon !== undefined && isRunning(daemon) && waited < 5000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
