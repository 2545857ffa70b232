import { Code } from '../errors';
import type { Session } from '../frontend/session';
import { TokenBucket } from '../frontend/token-bucket';
import type { Step } from './pipeline';

/** A token bucket per session (`burst` at once, refilled at `perSecond`): past it, 429 without running anything. */
export function rateLimitStep(perSecond: number, burst: number): Step {
  const buckets = new WeakMap<Session, TokenBucket>();
  return async ({ session }, next) => {
    let bucket = buckets.get(session);
    if (!bucket) buckets.set(session, (bucket = new TokenBucket(perSecond, burst)));
    return bucket.take() ? next() : { code: Code.TOO_MANY_REQUESTS, error: 'too many requests, slow down' };
  };
}
