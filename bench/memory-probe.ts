/**
 * Preloaded into the servers the bench starts for the multi-room scenario (`node --require`, through
 * CLUSTER_NODE_ARGS): on SIGUSR2 the process runs a full garbage collection and writes its memory to
 * `$BENCH_MEMORY_DIR/<pid>.json`, so that memory per room membership is live objects, not garbage
 * waiting for the next collection. `<pid>.ready` says the probe is loaded (SIGUSR2 would end a process without it).
 */
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

export interface ProbedMemory {
  rss: number;
  heapUsed: number;
  external: number;
}

const dir = process.env.BENCH_MEMORY_DIR;
if (dir) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const write = (name: string, body: string): void => {
    const file = path.join(dir, name);
    writeFileSync(`${file}.tmp`, body);
    renameSync(`${file}.tmp`, file);
  };
  process.on('SIGUSR2', () => {
    gc();
    const { rss, heapUsed, external } = process.memoryUsage();
    write(`${process.pid}.json`, JSON.stringify({ rss, heapUsed, external } satisfies ProbedMemory));
  });
  write(`${process.pid}.ready`, '');
}
