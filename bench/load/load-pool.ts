/** The runner's side of the load generators: forks them, splits users and rates, merges their reports. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Histogram } from './histogram';
import type { BenchUser, EnterReport, JoinReport, LoadReport, ReplyEnvelope, WorkerCommand, WorkerReply } from './worker-messages';

const COMMAND_TIMEOUT_MS = 120_000;
const ENTER_CONCURRENCY_PER_WORKER = 50;

export interface MergedLoad {
  sent: number;
  acked: number;
  errors: number;
  firstError?: string;
  deliveries: number;
  /** Pushes other than onChat, by name. */
  pushes: Record<string, number>;
  latency: Histogram;
  elapsedMs: number;
  /** Load generators' CPU time over the window, ms (all workers). */
  cpuMs: number;
  openSockets: number;
}

export interface MergedEnter {
  entered: number;
  failed: number;
  firstError?: string;
  latency: Histogram;
  durationMs: number;
  perPort: Record<string, number>;
}

class Worker {
  private nextId = 0;
  private readonly pending = new Map<number, (reply: WorkerReply) => void>();
  users = 0;

  constructor(readonly child: ChildProcess) {
    child.on('message', ({ id, reply }: ReplyEnvelope) => {
      this.pending.get(id)?.(reply);
      this.pending.delete(id);
    });
    child.on('exit', () => {
      for (const resolve of this.pending.values()) resolve({ type: 'error', message: 'load worker exited' });
      this.pending.clear();
    });
  }

  send<R extends WorkerReply>(command: WorkerCommand, timeoutMs = COMMAND_TIMEOUT_MS): Promise<R> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`load worker ${this.child.pid}: no answer to ${command.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.type === 'error') reject(new Error(`load worker ${this.child.pid}: ${reply.message}`));
        else resolve(reply as R);
      });
      this.child.send({ id, command });
    });
  }
}

export class LoadPool {
  private constructor(private readonly workers: Worker[]) {}

  /** Forks `count` load-generator processes. */
  static async start(count: number): Promise<LoadPool> {
    const entry = path.join(__dirname, 'load-worker.js');
    const workers = Array.from({ length: count }, () => new Worker(fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })));
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.child.once('spawn', resolve).once('error', reject))));
    return new LoadPool(workers);
  }

  /** Enters in flight at most, over all workers. */
  get enterConcurrency(): number {
    return ENTER_CONCURRENCY_PER_WORKER * this.workers.length;
  }

  get pids(): number[] {
    return this.workers.flatMap((w) => w.child.pid ?? []);
  }

  /** Enters `users` (split over the workers, each with bounded concurrency) and waits for all. */
  async enter(gate: { host: string; port: number }, users: BenchUser[]): Promise<MergedEnter> {
    const shares = this.workers.map((_w, i) => users.filter((_u, j) => j % this.workers.length === i));
    const reports = await Promise.all(
      this.workers.map((w, i) => {
        w.users += shares[i]!.length;
        return w.send<EnterReport>({ type: 'enter', gate, users: shares[i]!, concurrency: ENTER_CONCURRENCY_PER_WORKER });
      }),
    );
    const latency = new Histogram();
    const perPort: Record<string, number> = {};
    for (const r of reports) {
      latency.add(r.latency);
      for (const [port, n] of Object.entries(r.perPort)) perPort[port] = (perPort[port] ?? 0) + n;
    }
    const firstError = reports.find((r) => r.firstError !== undefined)?.firstError;
    return {
      entered: reports.reduce((n, r) => n + r.entered, 0),
      failed: reports.reduce((n, r) => n + r.failed, 0),
      ...(firstError !== undefined && { firstError }),
      latency,
      durationMs: Math.max(...reports.map((r) => r.durationMs)),
      perPort,
    };
  }

  /** Every user entered so far joins the rooms of its `join` list; waits for all. */
  async join(): Promise<Omit<JoinReport, 'type'>> {
    const reports = await Promise.all(
      this.workers.map((w) => w.send<JoinReport>({ type: 'join', concurrency: ENTER_CONCURRENCY_PER_WORKER })),
    );
    const firstError = reports.find((r) => r.firstError !== undefined)?.firstError;
    return {
      joined: reports.reduce((n, r) => n + r.joined, 0),
      failed: reports.reduce((n, r) => n + r.failed, 0),
      ...(firstError !== undefined && { firstError }),
      durationMs: Math.max(...reports.map((r) => r.durationMs)),
    };
  }

  /** Sends `perSecond` messages a second over all users, each worker its share by users. */
  async setRate(perSecond: number): Promise<void> {
    const total = this.workers.reduce((n, w) => n + w.users, 0) || 1;
    await Promise.all(this.workers.map((w) => w.send({ type: 'rate', perSecond: (perSecond * w.users) / total })));
  }

  async reset(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.send({ type: 'reset' })));
  }

  async report(): Promise<MergedLoad> {
    const reports = await Promise.all(this.workers.map((w) => w.send<LoadReport>({ type: 'report' })));
    const latency = new Histogram();
    for (const r of reports) latency.add(r.latency);
    const sum = (key: 'sent' | 'acked' | 'errors' | 'deliveries' | 'cpuMs' | 'openSockets'): number =>
      reports.reduce((n, r) => n + r[key], 0);
    const firstError = reports.find((r) => r.firstError !== undefined)?.firstError;
    const pushes: Record<string, number> = {};
    for (const r of reports) for (const [name, n] of Object.entries(r.pushes)) pushes[name] = (pushes[name] ?? 0) + n;
    return {
      sent: sum('sent'),
      acked: sum('acked'),
      errors: sum('errors'),
      ...(firstError !== undefined && { firstError }),
      deliveries: sum('deliveries'),
      pushes,
      latency,
      elapsedMs: Math.max(...reports.map((r) => r.elapsedMs)),
      cpuMs: sum('cpuMs'),
      openSockets: sum('openSockets'),
    };
  }

  /** Closes every user's socket (the workers stay). */
  async disconnectAll(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.send({ type: 'close' })));
    for (const w of this.workers) w.users = 0;
  }

  /** Ends the workers: politely, then by force after a second. */
  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        if (child.connected) child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
