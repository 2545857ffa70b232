import { isPortOpen } from '../../game-server/net';

export { freePorts } from '../../game-server/free-ports';
export { waitForPort } from '../../game-server/net';

/** Resolves once nothing accepts connections on host:port any more (a killed server is gone). */
export async function waitForPortClosed(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await isPortOpen(host, port)) {
    if (Date.now() > deadline) throw new Error(`${host}:${port} still accepts connections after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
