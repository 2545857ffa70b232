import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from 'chatofpomelo-client';

const options: BackoffOptions = { initialMs: 100, maxMs: 2000, factor: 2, jitter: 0.5 };

describe('the client library reconnection backoff', () => {
  it('doubles from the first delay while the random draw is 0 (no jitter taken off)', () => {
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay(attempt, options, () => 0))).toEqual([100, 200, 400, 800, 1600]);
  });

  it('never waits longer than maxMs, however many attempts failed', () => {
    for (const attempt of [5, 6, 10, 50, 1000]) expect(backoffDelay(attempt, options, () => 0)).toBe(2000);
  });

  it('takes up to `jitter` of the delay off at random, so clients that lost the same server spread out', () => {
    expect(backoffDelay(3, options, () => 0.999999)).toBe(400);
    expect(backoffDelay(3, options, () => 0.5)).toBe(600);
    const draws = Array.from({ length: 200 }, () => backoffDelay(3, options));
    for (const delay of draws) {
      expect(delay).toBeGreaterThanOrEqual(400);
      expect(delay).toBeLessThanOrEqual(800);
    }
    expect(new Set(draws).size).toBeGreaterThan(10);
  });

  it('with no jitter, is exact; a jitter outside 0..1 is clamped', () => {
    expect(backoffDelay(2, { ...options, jitter: 0 }, Math.random)).toBe(400);
    expect(backoffDelay(2, { ...options, jitter: 7 }, () => 0.5)).toBe(200);
    expect(backoffDelay(2, { ...options, jitter: -1 }, () => 0.5)).toBe(400);
  });

  it('defaults to a short first wait and a cap of seconds', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0)).toBe(DEFAULT_BACKOFF.initialMs);
    expect(backoffDelay(100, DEFAULT_BACKOFF, () => 0)).toBe(DEFAULT_BACKOFF.maxMs);
  });
});
