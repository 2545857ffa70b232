import { request } from 'node:http';
import { ENTRY_PATH, type QueryEntryResult, type Reply } from '../../app/protocol';

const TIMEOUT_MS = 10_000;

/**
 * `GET /entry?uid=` on the gate (or a target answering for itself), on a TCP connection of its own
 * (`agent: false`): each bench user is another machine, as it would be a socket.io connection of its own.
 */
export function getEntry(gate: { host: string; port: number }, uid: string): Promise<Reply<QueryEntryResult>> {
  return new Promise((resolve, reject) => {
    const path = `${ENTRY_PATH}?uid=${encodeURIComponent(uid)}`;
    const req = request({ host: gate.host, port: gate.port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as Reply<QueryEntryResult>);
        } catch {
          reject(new Error(`GET ${ENTRY_PATH}: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
        }
      });
      res.on('error', reject);
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`GET ${ENTRY_PATH}: no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}
