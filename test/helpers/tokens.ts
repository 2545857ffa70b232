import { createHmac } from 'node:crypto';

/** A secret of the length AUTH_SECRET needs. */
export const TEST_AUTH_SECRET = 'test-secret-of-at-least-32-characters-0123456789';

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** The HMAC hash of each HS algorithm; a header naming another (`none`) is signed HS256, for a caller to strip. */
const HMAC_HASHES: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

/**
 * A JWT signed with node:crypto, written here by hand on purpose: the servers verify with jose, so a
 * token that passes is one that any HS256 implementation would make. `header` overrides the header
 * (to try `alg: none` and the like); the signature is the HMAC its `alg` names (HS512: HMAC-SHA-512),
 * so a token refused for its algorithm is refused for that alone. `exp` defaults to an hour from now.
 */
export function signToken(
  claims: Record<string, unknown>,
  secret: string = TEST_AUTH_SECRET,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iat: now, exp: now + 3600, ...claims };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const hash = HMAC_HASHES[String(header.alg)] ?? 'sha256';
  const signature = createHmac(hash, secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** Seconds since the epoch, `offset` seconds from now. */
export const epochSeconds = (offset = 0): number => Math.floor(Date.now() / 1000) + offset;
