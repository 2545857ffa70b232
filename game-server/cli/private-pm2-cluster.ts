/** The cluster under pm2 with a daemon of its own: for tests and the benchmark, never touching another pm2. */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../project-root';
import { listeningPort, type ServerInfo } from '../config/server-info';
import { parseServersConfig } from '../config/load-servers-config';
import { generateLayout, serversJson, type LayoutOptions } from '../config/servers-layout';
import { freePorts } from '../free-ports';
import { waitForPort } from '../net/wait-for-port';
import { parsePm2List, pm2InEnv, type Pm2App } from './pm2-cli';
import { sleep } from '../sleep';

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
  /** `npm run scale` runs under way, ended by `stop`. */
  private readonly scaling = new Set<ChildProcess>();
  private stopping?: Promise<void>;
  /** pm2 CLI calls under way: `stop` lets them end first (one that ran on after `pm2 kill` would start a new daemon). */
  private readonly inFlight = new Set<Promise<string>>();

  constructor(
    readonly dir: string,
    public servers: ServerInfo[],
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Creates and starts a cluster (see `create` and `launch`). */
  static async start<T extends PrivatePm2Cluster>(
    this: new (dir: string, servers: ServerInfo[], env: NodeJS.ProcessEnv) => T,
    options: PrivateClusterOptions = {},
  ): Promise<T> {
    const cluster = (await PrivatePm2Cluster.create.call(this, options)) as T;
    await cluster.launch();
    return cluster;
  }

  /**
   * Lays out a cluster in a temporary folder (servers.json on free ports, the environment) without
   * starting anything: a caller that may be interrupted holds it before `launch`, and `stop` ends it
   * whenever called.
   */
  static async create<T extends PrivatePm2Cluster>(
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
      // Chat servers' rooms files (memory store) stay with this cluster and go with its folder.
      DATA_DIR: path.join(dir, 'data'),
      ...(options.clusterHost && { CLUSTER_HOST: options.clusterHost }),
      ...options.env,
    };
    return new this(dir, servers, env);
  }

  /** `pm2 start ecosystem.config.js`, then waits until every server of this host listens; stops everything if that fails. */
  async launch(): Promise<void> {
    try {
      await this.pm2('start', 'ecosystem.config.js');
      const host = this.env.CLUSTER_HOST;
      const local = this.servers.filter((s) => !host || s.host === host);
      // Only a hang should reach this: on a 2-core machine with other test runs beside it, starts took over 15 s.
      await Promise.all(local.map((s) => waitForPort(s.host, listeningPort(s), 30_000)));
      if (this.runsWeb) await waitForPort('127.0.0.1', Number(this.env.WEB_PORT), 30_000);
    } catch (err) {
      await this.stop();
      throw err;
    }
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

  /** Runs the pm2 CLI against this cluster's daemon; refused once `stop` began (it would start a new daemon). */
  pm2(...args: string[]): Promise<string> {
    if (this.stopping) return Promise.reject(new Error(`pm2 ${args[0]}: this cluster was stopped`));
    const call = pm2InEnv(this.env, ...args);
    this.inFlight.add(call);
    const done = (): void => void this.inFlight.delete(call);
    call.then(done, done);
    return call;
  }

  async list(): Promise<Pm2Process[]> {
    return parsePm2List(await this.pm2('jlist'));
  }

  /** Runs `npm run scale`'s script against this cluster (after `writeServers`); returns what it printed. */
  scale(timeoutMs = 120_000): Promise<string> {
    if (this.stopping) return Promise.reject(new Error('npm run scale: this cluster was stopped'));
    // A process group of its own, so that `stop` can end it with the pm2 CLI it may be running.
    const child = spawn(process.execPath, [path.join(projectRoot(), 'dist/game-server/cli/scale.js')], {
      cwd: projectRoot(),
      env: this.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.scaling.add(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => killGroup(child.pid!), timeoutMs);
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        this.scaling.delete(child);
        if (code === 0) resolve(output);
        else reject(new Error(`npm run scale failed (${signal ?? `exit code ${code}`}):\n${output}`));
      });
    });
  }

  /** Kills a server's process outright (pm2 will restart it); returns the pid that was killed. */
  async kill9(id: string): Promise<number> {
    const proc = (await this.list()).find((p) => p.name === id);
    if (!proc?.pid) throw new Error(`${id} is not running`);
    process.kill(proc.pid, 'SIGKILL');
    return proc.pid;
  }

  /** Copies every server's pm2 logs (out and error, named by server id) into `dir`, before `stop` removes them. */
  copyLogs(dir: string): void {
    const logs = path.join(this.dir, 'pm2', 'logs');
    if (existsSync(logs)) cpSync(logs, dir, { recursive: true });
  }

  /** The private pm2 daemon's pid, if it runs. */
  daemonPid(): number | undefined {
    const file = path.join(this.dir, 'pm2', 'pm2.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8')) || undefined : undefined;
  }

  /** Kills the private daemon and its processes and removes the folder; safe to call twice, or while anything runs. */
  stop(): Promise<void> {
    this.stopping ??= this.kill();
    return this.stopping;
  }

  private async kill(): Promise<void> {
    for (const child of this.scaling) if (child.pid !== undefined) killGroup(child.pid);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => (timer = setTimeout(r, 15_000)))]);
    clearTimeout(timer);
    const daemon = this.daemonPid();
    await pm2InEnv(this.env, 'kill').catch(() => undefined);
    // `pm2 kill` answers before its daemon has quite exited.
    for (let waited = 0; daemon !== undefined && isRunning(daemon) && waited < 5000; waited += 20) await sleep(20);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The servers of the development section of servers.json's text, in file order. */
function readLayout(text: string, file: string): ServerInfo[] {
  return [...parseServersConfig(JSON.parse(text), file, 'development').values()].flat();
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone already
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
