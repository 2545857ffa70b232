import type { Server as HttpServer } from 'node:http';
import net, { type Socket } from 'node:net';
import type { Server as IoServer } from 'socket.io';

export function listen(http: HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
}

/** Every TCP connection of `http`, upgraded websockets included (http.closeAllConnections misses those). */
export function trackConnections(http: HttpServer): Set<Socket> {
  const sockets = new Set<Socket>();
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

/**
 * Closes a socket.io server and its HTTP server. Peers get a clean close first; a connection still
 * open after `graceMs` (say, a client that stopped reading) is destroyed so stopping never hangs.
 */
export function closeHttp(http: HttpServer, io: IoServer, sockets: Set<Socket>, graceMs = 500): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, graceMs);
    void io.close(() => {
      clearTimeout(timer);
      resolve();
    });
    http.closeAllConnections();
  });
}

/** Whether something accepts TCP connections on host:port right now. */
export function isPortOpen(host: string, port: number): Promise<boolean> {
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
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ports for test and bench clusters, handed out once per machine (free-ports.ts); also importable from here. */
export { freePorts } from './free-ports';

/** Resolves once nothing accepts connections on host:port any more (a killed server is gone). */
export async function waitForPortClosed(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await isPortOpen(host, port)) {
    if (Date.now() > deadline) throw new Error(`${host}:${port} still accepts connections after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
