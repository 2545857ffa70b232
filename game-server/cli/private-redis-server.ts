import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from '../free-ports';
import { waitForPort } from '../net/wait-for-port';

// If the test or bench process dies without stopping it, no redis-server outlives it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A redis-server of its own (Debian's `redis-server`) for the tests and the bench: a free port of
 * 127.0.0.1, a temporary folder, no persistence (stopping it loses its data, as a Redis without a
 * disk would). Never touches a Redis a developer runs.
 */
export interface PrivateRedisOptions {
  /** The port (default: a free one). */
  port?: number;
  /** More command-line options, e.g. `--replicaof host port` or `--cluster-enabled yes`. */
  args?: string[];
  /** A config file's text (written to the server's folder and passed first), e.g. a Sentinel's `sentinel monitor`. */
  config?: string;
}

export class PrivateRedisServer {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly configFile: string | undefined,
    private readonly args: string[],
  ) {}

  static async start(options: PrivateRedisOptions = {}): Promise<PrivateRedisServer> {
    const port = options.port ?? (await freePorts(1))[0]!;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chat-redis-'));
    const configFile = path.join(dir, 'redis.conf');
    if (options.config !== undefined) writeFileSync(configFile, options.config);
    const server = new PrivateRedisServer(port, dir, options.config !== undefined ? configFile : undefined, options.args ?? []);
    await server.resume();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the process (again, empty, after `pause`); `more` options override those it was started with. */
  async resume(more: string[] = []): Promise<void> {
    const args = [
      ...(this.configFile ? [this.configFile] : []),
      ...['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      ...['--logfile', this.logFile],
      ...this.args,
      ...more,
    ];
    // A session of its own, as a Redis run as a service has: Linux schedules each session as one group
    // (autogroup), and in ours this redis-server would share its CPU with the load generator's processes.
    const child = spawn('redis-server', args, { stdio: 'ignore', detached: true });
    this.child = child;
    running.add(child);
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) =>
        reject(new Error(`redis-server could not start (is it installed? apt-get install redis-server): ${err.message}`)),
      );
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    });
    failed.catch(() => undefined);
    const alive = (): boolean => child.exitCode === null && child.signalCode === null;
    await Promise.race([waitForPort('127.0.0.1', this.port, 10_000, alive), failed]);
  }

  /** Its log (every start appends to it), kept with `copyLog` before `stop` removes its folder. */
  get logFile(): string {
    return path.join(this.dir, 'redis.log');
  }

  /** Copies its log to `file` (nothing if it never wrote one). */
  copyLog(file: string): void {
    if (existsSync(this.logFile)) copyFileSync(this.logFile, file);
  }

  /** Copies its log into `dir` as redis-<port>.log. */
  copyLogs(dir: string): void {
    this.copyLog(path.join(dir, `redis-${this.port}.log`));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether its process runs (started and not killed). */
  get running(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Its pid as a list, like a deployment of several servers gives. */
  get pids(): number[] {
    return this.pid === undefined ? [] : [this.pid];
  }

  /** Stops the process without ending it (SIGSTOP): connections stay open and nothing answers, as a hung Redis. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /** Kills the process (its data is gone) and waits for it to exit. */
  async pause(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    running.delete(child);
  }

  async stop(): Promise<void> {
    await this.pause();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
