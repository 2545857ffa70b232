/**
 * Sign-in tokens: JWTs signed HS256 with AUTH_SECRET (jose). The connector verifies them on enter;
 * the web server issues them for development (`POST /api/token`); a real application issues its own.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { AppError, Code } from '../../game-server';
import type { TokenClaims } from '../protocol';

/** Seconds of clock skew between the issuer and the connector that still count as on time. */
const CLOCK_TOLERANCE_S = 5;

const keyOf = (secret: string): Uint8Array => new TextEncoder().encode(secret);

/** What a verified token allows: one user, and maybe only some rooms. */
export interface Grant {
  username: string;
  rooms?: readonly string[];
  /** When the token expires, ms since epoch. */
  expiresAt: number;
}

/** Checks a token's signature, algorithm and expiry; throws 401 with the reason when it is not good. */
export async function verifyToken(secret: string, token: string | undefined): Promise<Grant> {
  if (token === undefined || token === '') throw new AppError(Code.UNAUTHORIZED, 'a token is required to enter');
  let payload: Record<string, unknown>;
  try {
    // Only HS256: a token that names another algorithm (`none`, RS256 with our secret as a "public key") is refused.
    ({ payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['sub', 'exp'],
      clockTolerance: CLOCK_TOLERANCE_S,
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new AppError(Code.UNAUTHORIZED, 'the token has expired');
    if (err instanceof errors.JWTClaimValidationFailed) throw new AppError(Code.UNAUTHORIZED, `the token is not valid: ${err.message}`);
    throw new AppError(Code.UNAUTHORIZED, 'the token is not valid');
  }
  const { sub, rooms, exp } = payload;
  if (typeof sub !== 'string' || sub === '') throw new AppError(Code.UNAUTHORIZED, 'the token is not valid: "sub" must be a user name');
  if (rooms !== undefined && !(Array.isArray(rooms) && rooms.every((r) => typeof r === 'string'))) {
    throw new AppError(Code.UNAUTHORIZED, 'the token is not valid: "rooms" must be a list of room ids');
  }
  // jose checked `exp` (required, a number).
  return { username: sub, expiresAt: (exp as number) * 1000, ...(rooms !== undefined && { rooms: rooms }) };
}

/** Whether the grant lets its user into `rid`. */
export const allowsRoom = (grant: Grant, rid: string): boolean => !grant.rooms || grant.rooms.includes(rid);

/** Why a grant does not let its user into `rid` (onKick's reason, 403's error). */
export const roomNotAllowed = (rid: string): string => `the token does not allow room "${rid}"`;

/** Throws 403 unless the grant is for `username`. */
export function checkUser(grant: Grant, username: string): void {
  if (grant.username !== username) throw new AppError(Code.FORBIDDEN, 'the token is for another user name');
}

/** Throws 403 unless the grant is for `username` and lets it into `rid`. */
export function checkGrant(grant: Grant, username: string, rid: string): void {
  checkUser(grant, username);
  if (!allowsRoom(grant, rid)) throw new AppError(Code.FORBIDDEN, roomNotAllowed(rid));
}

/** A token for `username`, valid `ttlSeconds`, optionally only for `rooms`. */
export async function issueToken(
  secret: string,
  username: string,
  ttlSeconds: number,
  rooms?: readonly string[],
): Promise<{ token: string; expiresAt: number }> {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + ttlSeconds;
  const claims: Omit<TokenClaims, 'sub' | 'exp'> = rooms ? { rooms: [...rooms] } : {};
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(username)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(keyOf(secret));
  return { token, expiresAt: exp * 1000 };
}
