import { fork } from 'node:child_process';
import path from 'node:path';
import type { ServerProcess, Target } from './target';

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 15_000;

/** The single-process socket.io baseline (baseline/baseline-server.ts), forked on a free port. */
export class BaselineTarget implements Target {
  readonly name = 'baseline' as const;

  private constructor(
    private readonly child: ReturnType<typeof fork>,
    readonly gate: { host: string; port: number },
  ) {}

  static async start(env: Record<string, string>): Promise<BaselineTarget> {
    const child = fork(path.join(__dirname, '../baseline/baseline-server.js'), [HOST, '0'], {
      env: { ...process.env, ...env },
      execArgv: (env.CLUSTER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the baseline server did not start')), START_TIMEOUT_MS);
        child.once('message', (m: { listening: number }) => {
          clearTimeout(timer);
          resolve(m.listening);
        });
        child.once('exit', (code) => reject(new Error(`the baseline server exited with ${code}`)));
      });
      return new BaselineTarget(child, { host: HOST, port });
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  async processes(): Promise<ServerProcess[]> {
    return [{ name: 'baseline', role: 'baseline', pid: this.child.pid!, clientPort: this.gate.port }];
  }

  startedPids(): number[] {
    return this.child.pid === undefined ? [] : [this.child.pid];
  }

  async stop(): Promise<void> {
    const { child } = this;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
