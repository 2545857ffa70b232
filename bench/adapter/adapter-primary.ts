import cluster, { type Worker } from 'node:cluster';
import { setupPrimary } from '@socket.io/cluster-adapter';
import { isCountersReply, isCountersRequest, type AdapterReady, type CountersReply } from './adapter-messages';
import { NO_COUNTS, type IpcCounts } from './ipc-counter';

const STOP_TIMEOUT_MS = 3000;

/**
 * The node:cluster primary of the adapter target: forks `count` workers on one port (websocket-only
 * clients need no sticky sessions: a connection is one TCP connection, handed to one worker), relays
 * the adapter's messages (setupPrimary), answers the runner's counter requests, and takes its workers
 * down with it.
 */
export async function runAdapterPrimary(count: number): Promise<void> {
  setupPrimary();
  const workers = Array.from({ length: count }, () => cluster.fork());
  let stopping = false;
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) process.stderr.write(`adapter: worker ${worker.process.pid} exited (${signal ?? code}) while serving\n`);
  });

  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all(workers.map(stopWorker));
    process.exit(0);
  };
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  process.on('message', (message: unknown) => {
    if (isCountersRequest(message)) void sumCounters(workers, message.countersRequest).then((reply) => process.send?.(reply));
  });

  const ports = await Promise.all(
    workers.map(
      (w) =>
        new Promise<number>((resolve, reject) => {
          w.once('listening', (a) => resolve(a.port));
          w.once('exit', (code) => reject(new Error(`worker ${w.process.pid} exited with ${code} before it listened`)));
        }),
    ),
  );
  if (new Set(ports).size !== 1) throw new Error(`the workers listen on different ports: ${ports.join(', ')}`);
  const ready: AdapterReady = { listening: ports[0]!, workerPids: workers.map((w) => w.process.pid!) };
  process.send?.(ready);
}

async function sumCounters(workers: Worker[], id: number): Promise<CountersReply> {
  const replies = await Promise.all(
    workers.map(
      (w) =>
        new Promise<IpcCounts>((resolve) => {
          const onMessage = (message: unknown): void => {
            if (!isCountersReply(message) || message.countersReply !== id) return;
            w.off('message', onMessage);
            resolve(message.counts);
          };
          w.on('message', onMessage);
          w.send({ countersRequest: id });
        }),
    ),
  );
  const counts: IpcCounts = { ...NO_COUNTS };
  for (const r of replies) for (const key of Object.keys(counts) as (keyof IpcCounts)[]) counts[key] += r[key];
  return { countersReply: id, counts };
}

async function stopWorker(worker: Worker): Promise<void> {
  if (worker.isDead()) return;
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.process.kill('SIGTERM');
  const timer = setTimeout(() => worker.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
