/**
 * The benchmark's cluster-adapter target: socket.io with `@socket.io/cluster-adapter` on node:cluster
 * workers, serving the baseline's chat. `node dist/bench/adapter/adapter-server.js <host> <port> <workers>`;
 * BENCH_COUNT_IPC=1 counts the adapter's IPC; BENCH_ADAPTER_BARE=1 serves the bare chat (bare-routes.ts). Exits, workers and all, when its parent goes.
 */
import cluster from 'node:cluster';
import { runAdapterPrimary } from './adapter-primary';
import { runAdapterWorker } from './adapter-worker';

const [host = '127.0.0.1', portArg = '0', workersArg = '3'] = process.argv.slice(2);

const started = cluster.isPrimary
  ? runAdapterPrimary(Number(workersArg))
  : runAdapterWorker(host, Number(portArg), process.env.BENCH_COUNT_IPC === '1', process.env.BENCH_ADAPTER_BARE === '1');
started.catch((err: unknown) => {
  process.stderr.write(`adapter ${cluster.isPrimary ? 'primary' : 'worker'}: ${String(err)}\n`);
  process.exit(1);
});
if (cluster.isWorker) {
  // The primary is gone (its channel closed, or a write to it failed): so is this worker.
  process.on('disconnect', () => process.exit(0));
  cluster.worker?.on('error', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
