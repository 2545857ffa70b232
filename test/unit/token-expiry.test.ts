import { TokenExpiry } from '../../app/servers/connector/token-expiry';

describe('TokenExpiry', () => {
  let events: string[];
  let expiry: TokenExpiry;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    events = [];
    expiry = new TokenExpiry(
      { notice: (sid, at) => events.push(`notice ${sid} ${at}`), expired: (sid) => events.push(`expired ${sid}`) },
      30_000,
    );
  });
  afterEach(() => jest.useRealTimers());

  it('tells 30 s before the expiry, then expires', () => {
    expiry.watch('s1', 1_000_000 + 60_000);
    jest.advanceTimersByTime(29_999);
    expect(events).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(events).toEqual(['notice s1 1060000']);
    jest.advanceTimersByTime(29_999);
    expect(events).toEqual(['notice s1 1060000']);
    jest.advanceTimersByTime(1);
    expect(events).toEqual(['notice s1 1060000', 'expired s1']);
    expect(expiry.size).toBe(0);
  });

  it('tells at once (after the current turn) when the token expires in less than 30 s', () => {
    expiry.watch('s1', 1_000_000 + 5_000);
    expect(events).toEqual([]);
    jest.advanceTimersByTime(0);
    expect(events).toEqual(['notice s1 1005000']);
    jest.advanceTimersByTime(5_000);
    expect(events).toEqual(['notice s1 1005000', 'expired s1']);
  });

  it('moves the deadline on a refresh, and forgets a closed connection', () => {
    expiry.watch('s1', 1_000_000 + 5_000);
    expiry.watch('s2', 1_000_000 + 5_000);
    jest.advanceTimersByTime(1_000);
    expiry.watch('s1', 1_000_000 + 3_600_000);
    expiry.forget('s2');
    jest.advanceTimersByTime(10_000);
    expect(events).toEqual(['notice s1 1005000', 'notice s2 1005000']);
    expect(expiry.size).toBe(1);
  });

  it('waits for a token that lasts longer than setTimeout can count (24.8 days), instead of expiring it at once', () => {
    const days40 = 40 * 24 * 3600_000;
    expiry.watch('s1', 1_000_000 + days40);
    jest.advanceTimersByTime(days40 - 30_001);
    expect(events).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(events).toEqual([`notice s1 ${1_000_000 + days40}`]);
    jest.advanceTimersByTime(30_000);
    expect(events).toEqual([`notice s1 ${1_000_000 + days40}`, 'expired s1']);
  });
});
