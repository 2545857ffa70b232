import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clientAddress, listeningPort, type ServerInfo } from '../../game-server/config/server-info';
import { dispatch } from '../../game-server/router/dispatch';
import { queryEntry } from './chat-client';
import { freePorts, waitForPort } from './free-port';
import { generateLayout, serversJson, type LayoutOptions } from '../../game-server/config/servers-layout';
import { sleep } from '../../game-server/sleep';
import { askStatus } from '../../game-server/admin/admin-client';
import { loadRuntimeSettings } from '../../game-server/settings';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');
export const SERVER_ENTRY = path.join(PROJECT_ROOT, 'dist/app/main.js');
export const WEB_ENTRY = path.join(PROJECT_ROOT, 'dist/web-server/main.js');
/** The id the web server's process and logs go by. */
export const WEB_ID = 'web';
const LOG_LINES_KEPT = 60;
/**
 * How long a server may take to listen. Only a hang should reach it (a crash is seen at once): on a 2-core
 * machine with other test runs beside it, servers took over 15 s to start.
 */
export const START_TIMEOUT_MS = 30_000;

// If the test process dies without afterAll, no server outlives it.
const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of everyChild) child.kill('SIGKILL');
});

export interface ClusterOptions extends LayoutOptions {
  /** Extra environment for every server (e.g. RPC_TIMEOUT_MS). */
  env?: Record<string, string>;
  /** Also start the web server (`node dist/web-server/main.js`) on a free port, serving this cluster. */
  web?: boolean;
  /** Each frontend's `publicUrl` (where clients reach it through a reverse proxy), or undefined for none. */
  publicUrl?: (server: ServerInfo) => string | undefined;
}

/**
 * A whole cluster of real server processes (`node dist/app/main.js --id X`) on free ports, from a
 * servers.json generated in a temporary folder, so test files can run side by side and never meet a
 * cluster a developer is running. `stop()` ends every process and removes the folder.
 */
export class TestCluster {
  private readonly procs = new Map<string, ChildProcess>();
  private readonly logs = new Map<string, string[]>();
  /** The web server's port, once started. */
  webPort?: number;

  private constructor(
    readonly dir: string,
    public servers: ServerInfo[],
    private readonly env: Record<string, string>,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<TestCluster> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chat-cluster-'));
    const layout = (await generateLayout(options)).map((server) => {
      const publicUrl = server.frontend ? options.publicUrl?.(server) : undefined;
      return publicUrl === undefined ? server : { ...server, publicUrl };
    });
    const cluster = new TestCluster(dir, layout, options.env ?? {});
    cluster.writeConfig();
    try {
      await Promise.all(cluster.servers.map((s) => cluster.startServer(s.id)));
      await cluster.waitUntilLinked();
      if (options.web) await cluster.startWeb();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /**
   * Resolves once the cluster is whole: every running server reports its links to the other running ones
   * up, and the gate sends users to every connector. Servers start in any order: a link to a peer not
   * listening yet waits out a reconnection delay, and until it is up, pushes to that peer wait (a test
   * reading what a client got so far would miss them); a connector the gate could not reach within its
   * start-up grace counts as down, and the gate sends its users to the next one meanwhile.
   */
  async waitUntilLinked(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.waitForServerLinks(deadline);
    await this.waitForGateDispatch(deadline);
  }

  private async waitForServerLinks(deadline: number): Promise<void> {
    const { RPC_SECRET: secret, rpcTls: tls } = loadRuntimeSettings(this.processEnv());
    const options = { secret, tls, timeoutMs: 2000, name: 'test-cluster', servers: this.servers };
    for (;;) {
      const running = this.servers.filter((s) => this.isRunning(s.id));
      const isRunning = new Set(running.map((s) => s.id));
      const answers = await Promise.all(running.map((s) => askStatus(s, {}, options)));
      const waiting = answers.flatMap((answer) => {
        if (!answer.ok) return [`${answer.server.id}: ${answer.error}`];
        const links = Object.entries(answer.value.links ?? {});
        return links
          .filter(([peer, state]) => state !== 'up' && isRunning.has(peer))
          .map(([peer, state]) => `${answer.server.id} -> ${peer} ${state}`);
      });
      if (waiting.length === 0) return;
      if (Date.now() > deadline) throw new Error(`links not up: ${waiting.join(', ')}`);
      await sleep(50);
    }
  }

  private async waitForGateDispatch(deadline: number): Promise<void> {
    const connectors = this.byType('connector');
    if (this.byType('gate').length === 0) return;
    for (const connector of connectors) {
      let i = 0;
      while (dispatch(`link-probe-${i}`, connectors) !== connector) i++;
      const uid = `link-probe-${i}`;
      for (;;) {
        const entry = await queryEntry(this.gate, uid);
        if (entry.code === 200 && entry.port === clientAddress(connector).port) break;
        if (Date.now() > deadline) throw new Error(`the gate does not send users to ${connector.id}: ${JSON.stringify(entry)}`);
        await sleep(50);
      }
    }
  }

  get configFile(): string {
    return path.join(this.dir, 'servers.json');
  }

  get gate(): { host: string; port: number } {
    const gate = this.byType('gate')[0]!;
    return { host: gate.host, port: gate.clientPort! };
  }

  byType(type: string): ServerInfo[] {
    return this.servers.filter((s) => s.serverType === type);
  }

  server(id: string): ServerInfo {
    const found = this.servers.find((s) => s.id === id);
    if (!found) throw new Error(`no server ${id} in this cluster`);
    return found;
  }

  /** The environment a server process gets: the test's, plus the generated config. */
  processEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      DOTENV_PATH: path.join(this.dir, '.env'),
      DATA_DIR: path.join(this.dir, 'data'),
      ...this.env,
      ...extra,
      SERVERS_CONFIG: this.configFile,
    };
  }

  writeConfig(servers: ServerInfo[] = this.servers): void {
    this.servers = servers;
    writeFileSync(this.configFile, serversJson(servers));
  }

  async startServer(id: string): Promise<void> {
    const info = this.server(id);
    const child = this.spawnProcess(id, [SERVER_ENTRY, '--id', id], this.processEnv());
    const alive = (): boolean => child.exitCode === null && child.signalCode === null;
    await waitForPort(info.host, listeningPort(info), START_TIMEOUT_MS, alive).catch((err: Error) => {
      throw new Error(`${id} did not start: ${err.message}\n${this.recentLogs([id])}`);
    });
    if (info.port !== undefined) await waitForPort(info.host, info.port, START_TIMEOUT_MS, alive);
  }

  /**
   * Starts the web server for this cluster on a free port of 127.0.0.1 (see `webUrl`) and returns the
   * port. `id` and `extra` start another one next to it, with settings of its own (e.g. no API_KEY).
   */
  async startWeb(extra: Record<string, string> = {}, id = WEB_ID): Promise<number> {
    const [port] = await freePorts(1);
    if (id === WEB_ID) this.webPort = port!;
    const child = this.spawnProcess(id, [WEB_ENTRY], this.processEnv({ ...extra, WEB_HOST: '127.0.0.1', WEB_PORT: String(port) }));
    const alive = (): boolean => child.exitCode === null && child.signalCode === null;
    await waitForPort('127.0.0.1', port!, START_TIMEOUT_MS, alive).catch((err: Error) => {
      throw new Error(`the web server did not start: ${err.message}\n${this.recentLogs([id])}`);
    });
    return port!;
  }

  /** The browser client's address. */
  get webUrl(): string {
    if (this.webPort === undefined) throw new Error('this cluster has no web server (start it with { web: true })');
    return `http://127.0.0.1:${this.webPort}/`;
  }

  private spawnProcess(id: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.procs.set(id, child);
    everyChild.add(child);
    child.once('exit', () => everyChild.delete(child));
    const lines = this.logs.get(id) ?? [];
    this.logs.set(id, lines);
    const keep = (chunk: Buffer): void => {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      if (lines.length > LOG_LINES_KEPT) lines.splice(0, lines.length - LOG_LINES_KEPT);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    return child;
  }

  pid(id: string): number | undefined {
    return this.procs.get(id)?.pid;
  }

  isRunning(id: string): boolean {
    const child = this.procs.get(id);
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  /** Sends `signal` and waits for the process to exit. */
  async stopServer(id: string, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | null> {
    const child = this.procs.get(id);
    if (!child || !this.isRunning(id)) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  /** The last log lines of the given servers (all by default), for failure reports. */
  recentLogs(ids: string[] = [...this.logs.keys()]): string {
    return ids.map((id) => `--- ${id}\n${(this.logs.get(id) ?? []).join('\n')}`).join('\n');
  }

  async stop(): Promise<void> {
    if ((globalThis as { __testFailed?: boolean }).__testFailed) {
      process.stderr.write(`\nrecent server logs (a test failed):\n${this.recentLogs()}\n`);
    }
    await Promise.all([...this.procs.keys()].map((id) => this.stopServer(id, 'SIGTERM', 5000)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
