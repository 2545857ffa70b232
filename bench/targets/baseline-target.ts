import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { forkServer, stopServer } from './forked-server';
import type { ServerProcess, Target } from './target';

const HOST = '127.0.0.1';

/** The single-process socket.io baseline (baseline/baseline-server.ts), forked on a free port. */
export class BaselineTarget implements Target {
  readonly name = 'baseline' as const;

  private constructor(
    private readonly child: ChildProcess,
    readonly gate: { host: string; port: number },
  ) {}

  static async start(env: Record<string, string>): Promise<BaselineTarget> {
    const { child, ready } = await forkServer(path.join(__dirname, '../baseline/baseline-server.js'), [HOST, '0'], env);
    return new BaselineTarget(child, { host: HOST, port: ready.listening });
  }

  async processes(): Promise<ServerProcess[]> {
    return [{ name: 'baseline', role: 'baseline', pid: this.child.pid!, clientPort: this.gate.port }];
  }

  startedPids(): number[] {
    return this.child.pid === undefined ? [] : [this.child.pid];
  }

  stop(): Promise<void> {
    return stopServer(this.child);
  }
}
