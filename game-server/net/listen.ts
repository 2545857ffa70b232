import type { Server as HttpServer } from 'node:http';

/** Resolves once `http` listens on host:port; rejects with the listen error (say, the port is taken). */
export function listen(http: HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
}
