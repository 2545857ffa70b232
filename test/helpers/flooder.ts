import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const FLOOD_PROCESS = path.join(__dirname, 'flood-process.js');

// If the test process dies without afterAll, no flooder outlives it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A user who floods their room with sends, run in a process of its own (flood-process.js): the test process
 * then measures everyone else's latency without doing the flooder's work on its own event loop too, as a
 * real flooder on another machine would not.
 */
export class Flooder {
  private constructor(
    private readonly child: ChildProcess,
    readonly connectorPort: number,
  ) {}

  /** Enters `rid` as `username` through the gate and starts flooding. */
  static start(gate: { host: string; port: number }, username: string, rid: string, timeoutMs = 15_000): Promise<Flooder> {
    const child = fork(FLOOD_PROCESS, [gate.host, String(gate.port), username, rid], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      const exited = (code: number | null): void => fail(new Error(`the flooder exited (${code}) before flooding: ${stderr}`));
      const timer = setTimeout(() => fail(new Error(`the flooder did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        child.off('exit', exited);
        child.kill('SIGKILL');
        reject(err);
      };
      child.once('message', (message: { connectorPort: number }) => {
        clearTimeout(timer);
        child.off('exit', exited);
        resolve(new Flooder(child, message.connectorPort));
      });
      child.once('exit', exited);
    });
  }

  /** Stops the flood; resolves with how many answers came back with each code (-1: none within 5 s). */
  stop(): Promise<Map<number, number>> {
    return new Promise((resolve, reject) => {
      const exited = (code: number | null): void => reject(new Error(`the flooder exited (${code}) without its count`));
      this.child.once('message', (message: { codes: Record<string, number> }) => {
        this.child.off('exit', exited);
        resolve(new Map(Object.entries(message.codes).map(([code, n]) => [Number(code), n])));
      });
      this.child.once('exit', exited);
      this.child.send('stop');
    });
  }

  /** Ends the process if it still runs (for afterAll). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
