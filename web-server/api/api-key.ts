/** The server API's key check: `Authorization: Bearer <API_KEY>`, compared in constant time, with a brake on guessing. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-json';

/** Wrong keys one address may try per window before it is answered 429 until the window ends. */
const MAX_FAILURES = 20;
const WINDOW_MS = 60_000;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export class ApiKeyCheck {
  private readonly expected: Buffer;
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(key: string) {
    this.expected = digest(key);
  }

  /** Throws 401 (no key, or a wrong one) or 429 (too many wrong ones from this address). */
  check(req: IncomingMessage): void {
    const address = req.socket.remoteAddress ?? '';
    const now = Date.now();
    let record = this.failures.get(address);
    if (record && now - record.since > WINDOW_MS) {
      this.failures.delete(address);
      record = undefined;
    }
    if (record && record.count >= MAX_FAILURES) {
      const wait = Math.ceil((record.since + WINDOW_MS - now) / 1000);
      throw new HttpError(429, 'too many wrong API keys from this address; wait', { 'Retry-After': String(wait) });
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    // Digests of equal length: neither the key's length nor its first differing byte shows in the time taken.
    if (match && timingSafeEqual(digest(match[1]!), this.expected)) return;
    if (this.failures.size > 10_000) this.failures.clear();
    this.failures.set(address, { count: (record?.count ?? 0) + 1, since: record?.since ?? now });
    throw new HttpError(401, match ? 'wrong API key' : 'send Authorization: Bearer <API_KEY>', { 'WWW-Authenticate': 'Bearer' });
  }
}
