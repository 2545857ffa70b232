import { createHmac } from 'node:crypto';

/** A secret of the length AUTH_SECRET needs. */
export const TEST_AUTH_SECRET = 'test-secret-of-at-least-32-characters-0123456789';

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/**
 * A JWT signed HS256 with node:crypto, written here by hand on purpose: the servers verify with jose,
 * so a token that passes is one that any HS256 implementation would make. `header` overrides the
 * header (to try `alg: none` and the like); `exp` defaults to an hour from now.
 */
export function signToken(
  claims: Record<string, unknown>,
  secret: string = TEST_AUTH_SECRET,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iat: now, exp: now + 3600, ...claims };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** Seconds since the epoch, `offset` seconds from now. */
export const epochSeconds = (offset = 0): number => Math.floor(Date.now() / 1000) + offset;
