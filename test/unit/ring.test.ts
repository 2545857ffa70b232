import { Ring } from '../../app/util/ring';

describe('Ring', () => {
  it('keeps the last `capacity` items oldest first, and hands back each one it drops', () => {
    const ring = new Ring<number>(3);
    const dropped = [1, 2, 3, 4, 5, 6, 7].map((n) => ring.push(n));
    expect(dropped).toEqual([undefined, undefined, undefined, 1, 2, 3, 4]);
    expect(ring.toArray()).toEqual([5, 6, 7]);
    expect([0, 1, 2].map((i) => ring.at(i))).toEqual([5, 6, 7]);
    expect(ring.size).toBe(3);
  });

  it('before it is full, holds what was pushed in order', () => {
    const ring = new Ring<string>(5);
    ring.push('a');
    ring.push('b');
    expect(ring.toArray()).toEqual(['a', 'b']);
    expect(ring.at(1)).toBe('b');
    expect(ring.size).toBe(2);
  });

  it('with capacity 0 keeps nothing and drops nothing it would hand back', () => {
    const ring = new Ring<number>(0);
    expect(ring.push(1)).toBeUndefined();
    expect(ring.toArray()).toEqual([]);
    expect(ring.size).toBe(0);
  });
});
