/** The cluster under pm2 with a daemon of its own: for tests and the benchmark, never touching another pm2. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listeningPort, type ServerInfo } from '../config/server-info';
import { parseServersConfig } from '../config/load-servers-config';
import { generateLayout, serversJson, type LayoutOptions } from '../config/servers-layout';
import { freePorts } from '../free-ports';
import { waitForPort } from '../net';
import { parsePm2List, pm2InEnv, type Pm2App } from './pm2-cli';

/** A pm2 app as the tests and the bench see it. */
export type Pm2Process = Pm2App;

export interface PrivateClusterOptions extends LayoutOptions {
  env?: Record<string, string>;
  /** A layout of your own instead of a generated one. */
  servers?: ServerInfo[];
  /** Or servers.json's own text, written as it is (say, the Pomelo tutorial's); its development section is the layout. */
  serversText?: string;
  /** Start only the servers on this host (CLUSTER_HOST), as one host of a multi-host cluster would. */
  clusterHost?: string;
}

/**
 * The cluster started the way the README says, `pm2 start ecosystem.config.js`, but with a private
 * PM2_HOME and a generated servers.json on free ports in a temporary folder.
 */
export class PrivatePm2Cluster {
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
    const file = path.join(dir, 'servers.json');
    const layout = options.serversText === undefined ? (options.servers ?? (await generateLayout(options))) : undefined;
    const servers = layout ?? readLayout(options.serversText!, file);
    writeFileSync(file, layout ? serversJson(layout) : options.serversText!);
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
      // Only a hang should reach this: on a 2-core machine with other test runs beside it, starts took over 15 s.
      await Promise.all(local.map((s) => waitForPort(s.host, listeningPort(s), 30_000)));
      if (cluster.runsWeb) await waitForPort('127.0.0.1', webPort!, 30_000);
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

  /** The same with the file's text as it is. */
  writeServersText(text: string): void {
    const file = path.join(this.dir, 'servers.json');
    this.servers = readLayout(text, file);
    writeFileSync(file, text);
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

  /** The private pm2 daemon's pid, if it runs. */
  daemonPid(): number | undefined {
    const file = path.join(this.dir, 'pm2', 'pm2.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8')) || undefined : undefined;
  }

  /** Kills the private daemon and its processes and removes the folder; safe to call twice. */
  async stop(): Promise<void> {
    const daemon = this.daemonPid();
    await this.pm2('kill').catch(() => undefined);
    // `pm2 kill` answers before its daemon has quite exited.
    for (let waited = 0; daemon !== undefined && isRunning(daemon) && waited < 5000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The servers of the development section of servers.json's text, in file order. */
function readLayout(text: string, file: string): ServerInfo[] {
  return [...parseServersConfig(JSON.parse(text), file, 'development').values()].flat();
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
