import type { Server as HttpServer } from 'node:http';
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

/** Closes a socket.io server and its HTTP server, dropping idle keep-alive connections. */
export function closeHttp(http: HttpServer, io: IoServer): Promise<void> {
  return new Promise((resolve) => {
    void io.close(() => resolve());
    http.closeAllConnections();
  });
}
