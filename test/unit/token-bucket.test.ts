import { TokenBucket } from '../../game-server/frontend/token-bucket';

/** Takes tokens until refused (at most `max`); returns how many were given. */
const drain = (bucket: TokenBucket, max = 1000, now?: number): number => {
  let taken = 0;
  while (taken < max && bucket.take(now)) taken++;
  return taken;
};

describe('TokenBucket', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('gives `burst` tokens at once, then refuses', () => {
    const bucket = new TokenBucket(10, 5);
    expect(drain(bucket)).toBe(5);
    expect(bucket.take()).toBe(false);
  });

  it('refills at `perSecond`: one token after 1/perSecond s, keeping the fraction earned before a refused take', () => {
    const bucket = new TokenBucket(10, 5);
    drain(bucket);
    jest.advanceTimersByTime(60);
    expect(bucket.take()).toBe(false);
    jest.advanceTimersByTime(39);
    expect(bucket.take()).toBe(false);
    jest.advanceTimersByTime(1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('never holds more than `burst`, however long it sat idle', () => {
    const bucket = new TokenBucket(10, 5);
    drain(bucket);
    jest.advanceTimersByTime(60_000);
    expect(drain(bucket)).toBe(5);
  });

  it('takes the time it is given instead of the clock', () => {
    const bucket = new TokenBucket(1, 2);
    const t0 = performance.now();
    expect(drain(bucket, 1000, t0)).toBe(2);
    expect(bucket.take(t0 + 999)).toBe(false);
    expect(bucket.take(t0 + 1000)).toBe(true);
    expect(drain(bucket, 1000, t0 + 3000)).toBe(2);
  });

  it('a burst below one refuses everything', () => {
    const bucket = new TokenBucket(100, 0);
    jest.advanceTimersByTime(10_000);
    expect(bucket.take()).toBe(false);
  });
});
