import CRC32 from 'crc-32';
import { dispatch } from '../../game-server/router/dispatch';

describe('dispatch', () => {
  const list = ['a', 'b', 'c'];

  it('picks list[abs(crc32(key)) % length], as Pomelo does', () => {
    for (const key of ['alice', 'bob', 'lobby', '中文', '']) {
      expect(dispatch(key, list)).toBe(list[Math.abs(CRC32.str(key)) % 3]);
    }
  });

  it('handles keys whose crc32 is negative', () => {
    const negative = ['x', 'y', 'z', 'w', 'v'].find((k) => CRC32.str(k) < 0)!;
    expect(negative).toBeDefined();
    expect(list).toContain(dispatch(negative, list));
  });

  it('spreads many keys over every entry', () => {
    const seen = new Set(Array.from({ length: 300 }, (_, i) => dispatch(`user-${i}`, list)));
    expect(seen).toEqual(new Set(list));
  });

  it('always gives the same answer for the same key', () => {
    expect(dispatch('room-7', list)).toBe(dispatch('room-7', list));
  });
});
