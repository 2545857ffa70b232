/**
 * Requests answered 503 (the room's chat server is restarting, its store does not answer) are asked
 * again after a backoff with jitter, a bounded number of times within a bounded time; then the 503
 * reaches the caller as a ChatClientError with its code and the server's reason.
 */
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { ChatClientError } from './errors.js';

export interface RetryOptions extends BackoffOptions {
  /** At most this many requests in all (the first included). */
  attempts: number;
  /** No retry starts later than this after the first request, ms. */
  withinMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { initialMs: 100, maxMs: 2000, factor: 2, jitter: 0.5, attempts: 10, withinMs: 15_000 };

/** A 503 about to be asked again: which try failed (1, 2, ...) and how long until the next. */
export interface RetryEvent {
  route: string;
  attempt: number;
  retryInMs: number;
  error: ChatClientError;
}

/** The reply codes worth asking again for: the server could not answer now, and says so. */
export const isTransient = (code: number | undefined): boolean => code === 503;

/**
 * Runs `attempt` until it resolves, fails with anything but a 503, or the budget is spent (the last
 * 503 is thrown, its message saying how many tries).
 */
export async function retryTransient<T>(
  route: string,
  options: RetryOptions,
  attempt: () => Promise<T>,
  onRetry?: (event: RetryEvent) => void,
): Promise<T> {
  const startedAt = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ChatClientError) || !isTransient(err.code)) throw err;
      const retryInMs = backoffDelay(n - 1, options);
      const outOfBudget = n >= options.attempts || Date.now() + retryInMs - startedAt > options.withinMs;
      if (outOfBudget) {
        throw new ChatClientError(
          `${err.message} (${n} ${n === 1 ? 'try' : 'tries'} in ${Date.now() - startedAt} ms)`,
          err.code,
          err.reason,
        );
      }
      onRetry?.({ route, attempt: n, retryInMs, error: err });
      await new Promise((resolve) => setTimeout(resolve, retryInMs));
    }
  }
}
