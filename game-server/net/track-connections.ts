import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';

/** Every TCP connection of `http`, upgraded websockets included (http.closeAllConnections misses those). */
export function trackConnections(http: HttpServer): Set<Socket> {
  const sockets = new Set<Socket>();
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}
