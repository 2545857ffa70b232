import { fork, type ChildProcess } from 'node:child_process';

const DEFAULT_START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5000;

/**
 * Forks a bench server script (IPC, output inherited) and resolves with it and its first message, which
 * says it listens; a server that exits or says nothing within `startTimeoutMs` is stopped and the start rejects.
 */
export async function forkServer<Ready extends { listening: number }>(
  script: string,
  args: string[],
  env: Record<string, string>,
  startTimeoutMs = DEFAULT_START_TIMEOUT_MS,
): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(script, args, {
    env: { ...process.env, ...env },
    execArgv: (env.CLUSTER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // A session of its own, as the pm2 daemon the cluster runs under has: Linux schedules each session's
    // processes as one group (autogroup), so without it this target's servers would share the load
    // generator's group while the cluster's had one to themselves. The bench stops it on SIGINT/SIGTERM.
    detached: true,
  });
  try {
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
      child.once('message', (m: Ready) => {
        clearTimeout(timer);
        resolve(m);
      });
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    });
    return { child, ready };
  } catch (err) {
    // SIGTERM first: the adapter's primary takes its workers down with it.
    await stopServer(child);
    throw err;
  }
}

/** SIGTERM, then SIGKILL if it has not exited after a while; resolves once it has. */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
