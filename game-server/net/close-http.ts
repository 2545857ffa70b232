import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Server as IoServer } from 'socket.io';

/**
 * Closes a socket.io server and its HTTP server. Peers get a clean close first; a connection still
 * open after `graceMs` (say, a client that stopped reading) is destroyed so stopping never hangs.
 * `sockets` comes from trackConnections.
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
