/** The server API of a web server (`/api/...`, `Authorization: Bearer <API_KEY>`), called as an operator's program would. */
import http from 'node:http';
import type { RoomInfo } from '../../app/protocol';
import { waitUntil } from './wait';

export interface ApiReply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiCallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** The key to send instead of the client's (null: no Authorization header). */
  key?: string | null;
  /** The local address to call from: another client address (127.0.0.2) for checks that go by address. */
  from?: string;
}

const CALL_TIMEOUT_MS = 10_000;

export class ServerApi {
  /** `baseUrl`: the web server's address (`cluster.webUrl`); `key`: API_KEY, or null to send none. */
  constructor(
    readonly baseUrl: string,
    readonly key: string | null,
  ) {}

  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    { body, key = this.key, from }: ApiCallOptions = {},
  ): Promise<ApiReply<T>> {
    const headers: Record<string, string> = {};
    if (key !== null) headers.Authorization = `Bearer ${key}`;
    const text = body === undefined ? undefined : JSON.stringify(body);
    if (text !== undefined) headers['Content-Type'] = 'application/json';
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        { method, headers, timeout: CALL_TIMEOUT_MS, ...(from !== undefined && { localAddress: from }) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const replyHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined) replyHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
            }
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as T, headers: replyHeaders });
            } catch (err) {
              reject(new Error(`${method} ${url.pathname}: ${res.statusCode} with a body that is not JSON: ${(err as Error).message}`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: no answer within ${CALL_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(text);
    });
  }

  /** `GET /api/rooms/:rid` (members, recent history, bans, mutes); throws unless 200. */
  async room(rid: string): Promise<RoomInfo> {
    const reply = await this.call<RoomInfo>('GET', `api/rooms/${encodeURIComponent(rid)}`);
    if (reply.status !== 200) throw new Error(`GET /api/rooms/${rid}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  /**
   * Asks for the room until `condition` holds (a chat server restarting or a room moving answers
   * 503 or an older state meanwhile); resolves with the answer that met it.
   */
  async waitForRoom(rid: string, condition: (room: RoomInfo) => boolean, what: string, timeoutMs = 15_000): Promise<RoomInfo> {
    let last: RoomInfo | undefined;
    let seen = 'no answer yet';
    await waitUntil(
      async () => {
        try {
          last = await this.room(rid);
          seen = JSON.stringify(last);
          return condition(last);
        } catch (err) {
          seen = (err as Error).message;
          return false;
        }
      },
      timeoutMs,
      `room ${rid}: ${what}`,
      () => `it answered ${seen}`,
      100,
    );
    return last!;
  }
}
