/** How long to wait before the next reconnection attempt: exponential, capped, with jitter. */

export interface BackoffOptions {
  /** The first delay's ceiling (before jitter), ms. */
  initialMs: number;
  /** No delay is longer than this, ms. */
  maxMs: number;
  /** Each attempt's ceiling is the previous one times this. */
  factor: number;
  /**
   * The share of the delay that is random, 0 to 1: the delay is drawn from
   * [ceiling × (1 - jitter), ceiling]. Jitter spreads clients that lost the same server so they do
   * not all come back at the same instant.
   */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.5 };

/** The delay before attempt `attempt` (0 for the first retry). `random` returns [0, 1), as Math.random. */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt));
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(ceiling * (1 - jitter * random()));
}
