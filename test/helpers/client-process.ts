import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const SCRIPT = path.join(__dirname, 'client-process-child.js');

// If the test process dies without afterAll, no client process outlives it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface FloodResult {
  /** How many answers came back with each code (-1: none within 5 s). */
  codes: Map<number, number>;
}

export interface SteadyResult {
  delivered: number;
  /** The longest wait between two deliveries at the receiver, from start to stop. */
  longestGapMs: number;
  /** Sends not answered 200, messages that did not arrive. */
  failures: string[];
}

/**
 * Clients in a process of their own (client-process-child.js), for tests that measure how others fare while a client
 * misbehaves: done in the test process, the misbehaving client's work made its event loop lag (up to 211 ms on a
 * busy 2-core machine), and that lag was measured as everyone else's latency. `stop()` ends the work and
 * resolves with what the client saw.
 */
export class ClientProcess<Result> {
  private constructor(
    private readonly child: ChildProcess,
    private readonly result: Promise<Result>,
  ) {}

  /** A user of `rid` who sends as fast as the answers come back, 100 requests at a time. */
  static async flooder(gate: Gate, rid: string, username: string): Promise<ClientProcess<FloodResult>> {
    const raw = await ClientProcess.start<{ codes: Record<string, number> }>('flood', gate, rid, [username]);
    return raw.map((r) => ({ codes: new Map(Object.entries(r.codes).map(([code, n]) => [Number(code), n])) }));
  }

  /** Two users of `rid`: the sender sends one message at a time, each waited for at the receiver. */
  static steadyPair(gate: Gate, rid: string, sender: string, receiver: string): Promise<ClientProcess<SteadyResult>> {
    return ClientProcess.start<SteadyResult>('steady', gate, rid, [sender, receiver]);
  }

  private static start<R>(role: string, gate: Gate, rid: string, args: string[], timeoutMs = 15_000): Promise<ClientProcess<R>> {
    const child = fork(SCRIPT, [role, gate.host, String(gate.port), rid, ...args], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    running.add(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ended = new Promise<never>((_, reject) =>
      child.once('close', (code) => reject(new Error(`the ${role} client exited (${code}) before it was done: ${stderr}`))),
    );
    ended.catch(() => undefined);
    child.once('exit', () => running.delete(child));
    const messages: unknown[] = [];
    const waiters: (() => void)[] = [];
    child.on('message', (message) => {
      messages.push(message);
      for (const wake of waiters.splice(0)) wake();
    });
    const nth = (n: number): Promise<unknown> =>
      Promise.race([
        new Promise((resolve) => {
          const check = (): void => (messages.length > n ? resolve(messages[n]) : void waiters.push(check));
          check();
        }),
        ended,
      ]);
    const result = nth(1) as Promise<R>;
    result.catch(() => undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the ${role} client was not ready within ${timeoutMs} ms: ${stderr}`));
      }, timeoutMs);
      nth(0).then(
        () => {
          clearTimeout(timer);
          resolve(new ClientProcess(child, result));
        },
        (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  private map<T>(fn: (result: Result) => T): ClientProcess<T> {
    const mapped = this.result.then(fn);
    mapped.catch(() => undefined);
    return new ClientProcess(this.child, mapped);
  }

  /** Tells the client to stop; resolves with its result. */
  stop(): Promise<Result> {
    if (this.child.connected) this.child.send('stop');
    return this.result;
  }

  /** Ends the process if it still runs (for afterAll). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

type Gate = { host: string; port: number };
