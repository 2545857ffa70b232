import net from 'node:net';
import { sleep } from '../sleep';

/** Whether something accepts TCP connections on host:port right now. */
function isPortOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once something accepts TCP connections on host:port; rejects after `timeoutMs` or when `stillAlive` says no. */
export async function waitForPort(host: string, port: number, timeoutMs: number, stillAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isPortOpen(host, port))) {
    if (!stillAlive()) throw new Error(`process for ${host}:${port} exited before listening`);
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Resolves once nothing accepts connections on host:port any more (a killed server is gone). */
export async function waitForPortClosed(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await isPortOpen(host, port)) {
    if (Date.now() > deadline) throw new Error(`${host}:${port} still accepts connections after ${timeoutMs} ms`);
    await sleep(5);
  }
}
