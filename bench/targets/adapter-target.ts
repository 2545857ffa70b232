import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { isCountersReply, type AdapterReady } from '../adapter/adapter-messages';
import type { IpcCounts } from '../adapter/ipc-counter';
import { forkServer, stopServer } from './forked-server';
import type { InternalTraffic } from './internal-traffic';
import type { ServerProcess, Target } from './target';

const HOST = '127.0.0.1';
const COUNTERS_TIMEOUT_MS = 10_000;
/** Each worker loads socket.io and the chat on its own: 8 of them on a busy 2-core machine took more than 15 s. */
const START_TIMEOUT_MS_PER_WORKER = 10_000;

/**
 * socket.io + `@socket.io/cluster-adapter` on node:cluster workers (adapter/adapter-server.ts): the
 * primary and its workers, all on one port. With `countIpc`, the workers count the adapter's IPC; with
 * `bare`, they serve routes and pushes only (adapter/bare-routes.ts).
 */
export class AdapterTarget implements Target {
  private nextRequest = 0;

  private constructor(
    readonly name: 'adapter' | 'adapter-bare',
    private readonly primary: ChildProcess,
    private readonly workerPids: number[],
    readonly gate: { host: string; port: number },
  ) {}

  static async start(workers: number, env: Record<string, string>, { countIpc = false, bare = false } = {}): Promise<AdapterTarget> {
    const script = path.join(__dirname, '../adapter/adapter-server.js');
    const { child, ready } = await forkServer<AdapterReady>(
      script,
      [HOST, '0', String(workers)],
      { ...env, ...(countIpc && { BENCH_COUNT_IPC: '1' }), ...(bare && { BENCH_ADAPTER_BARE: '1' }) },
      START_TIMEOUT_MS_PER_WORKER * (workers + 1),
    );
    return new AdapterTarget(bare ? 'adapter-bare' : 'adapter', child, ready.workerPids, { host: HOST, port: ready.listening });
  }

  async processes(): Promise<ServerProcess[]> {
    return [
      { name: 'primary', role: 'adapter-primary', pid: this.primary.pid! },
      ...this.workerPids.map((pid, i) => ({ name: `worker-${i + 1}`, role: 'adapter-worker', pid, clientPort: this.gate.port })),
    ];
  }

  /** The adapter's IPC since the start, summed over the workers (zeros unless started with `countIpc`). */
  ipcCounts(): Promise<IpcCounts> {
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.primary.off('message', onMessage);
        reject(new Error('the adapter primary did not report its counters'));
      }, COUNTERS_TIMEOUT_MS);
      const onMessage = (message: unknown): void => {
        if (!isCountersReply(message) || message.countersReply !== id) return;
        clearTimeout(timer);
        this.primary.off('message', onMessage);
        resolve(message.counts);
      };
      this.primary.on('message', onMessage);
      this.primary.send({ countersRequest: id });
    });
  }

  /** Adapter messages between the workers and the primary, each hop once (needs `countIpc`). */
  async internalTraffic(): Promise<InternalTraffic> {
    const c = await this.ipcCounts();
    return { messages: c.messagesOut + c.messagesIn, bytes: c.bytesOut + c.bytesIn, sends: c.chatBroadcasts };
  }

  startedPids(): number[] {
    return [...(this.primary.pid === undefined ? [] : [this.primary.pid]), ...this.workerPids];
  }

  stop(): Promise<void> {
    return stopServer(this.primary);
  }
}
