import type { Phase, ServerSample } from '../../bench/soak/sampler';
import { backToLevel, DEFAULT_LIMITS, judgeServer, judgeSoak, percentile } from '../../bench/soak/verdict';

const MiB = 1024 * 1024;
const NO_LOSS = { lost: 0, duplicated: 0, outOfOrder: 0, unexplainedNotices: 0 };

interface Shape {
  /** Heap after GC and RSS at second `t` of the load (0..loadS). */
  heap?: (t: number) => number;
  rss?: (t: number) => number;
  lag?: (t: number) => number;
  /** fds and handles before and after the load. */
  fdsAfter?: number;
  handlesAfter?: number;
  loadS?: number;
}

/** One server's samples, once a second: 3 idle before, the load, 3 idle after. */
function samples(server: string, shape: Shape = {}): ServerSample[] {
  const { heap = () => 20 * MiB, rss = () => 80 * MiB, lag = () => 3, fdsAfter = 30, handlesAfter = 12, loadS = 60 } = shape;
  const out: ServerSample[] = [];
  const sample = (t: number, phase: Phase, loadT: number, fds: number, handles: number): ServerSample => ({
    t,
    phase,
    server,
    pid: 100,
    rssBytes: rss(loadT),
    heapUsedBytes: heap(loadT) + 5 * MiB,
    heapAfterGcBytes: heap(loadT),
    gcMs: 20,
    fds,
    handles,
    lagP99Ms: phase === 'load' ? lag(loadT) : 1,
  });
  for (let t = 0; t < 3; t++) out.push(sample(t, 'idle-before', 0, 30, 12));
  for (let t = 0; t <= loadS; t++) out.push(sample(3 + t, 'load', t, 300, 200));
  for (let t = 0; t < 3; t++) out.push(sample(4 + loadS + t, 'idle-after', loadS, fdsAfter, handlesAfter));
  return out;
}

describe('soak verdict', () => {
  it('passes a flat heap, with noise that moves single samples', () => {
    // Every fourth second 30 % up: a median of a quarter does not see it.
    const v = judgeServer('c1', samples('c1', { heap: (t) => (t % 4 === 0 ? 26 : 20) * MiB }), DEFAULT_LIMITS);
    expect(v.failures).toEqual([]);
    expect(v.heapAfterGc!.growth).toBeCloseTo(0, 3);
  });

  it('fails a heap that grows steadily, by 10 % over the second half', () => {
    // 20 MiB at the middle, +10 % by the end: the medians of the quarters differ by about 7.5 %.
    const heap = (t: number): number => (t <= 30 ? 20 : 20 + (2 * (t - 30)) / 30) * MiB;
    const v = judgeServer('c1', samples('c1', { heap }), DEFAULT_LIMITS);
    expect(v.failures).toEqual([expect.stringMatching(/c1: heap after GC grew 7\.\d % over the second half/)]);
  });

  it('does not blame growth in the first half (warming up)', () => {
    const heap = (t: number): number => (t < 30 ? 10 + t / 3 : 20) * MiB;
    expect(judgeServer('c1', samples('c1', { heap }), DEFAULT_LIMITS).failures).toEqual([]);
  });

  it('fails growing RSS', () => {
    const rss = (t: number): number => (80 + (t > 30 ? (t - 30) / 2 : 0)) * MiB;
    expect(judgeServer('c1', samples('c1', { rss }), DEFAULT_LIMITS).failures).toEqual([expect.stringMatching(/RSS grew/)]);
  });

  it('fails fds or handles that stay above their level after the load', () => {
    expect(judgeServer('c1', samples('c1', { fdsAfter: 32 }), DEFAULT_LIMITS).failures).toEqual([]);
    expect(judgeServer('c1', samples('c1', { fdsAfter: 33 }), DEFAULT_LIMITS).failures).toEqual([
      'c1: fds 33 after the load, 30 before it (slack 2)',
    ]);
    expect(judgeServer('c1', samples('c1', { handlesAfter: 40 }), DEFAULT_LIMITS).failures).toEqual([
      'c1: handles 40 after the load, 12 before it (slack 2)',
    ]);
  });

  it('judges lag over the second half by the 99th percentile of the per-second p99s', () => {
    // One bad second in the first half is not judged; in the second half (31 samples) the p99 is the worst.
    expect(judgeServer('c1', samples('c1', { lag: (t) => (t === 10 ? 400 : 3) }), DEFAULT_LIMITS).failures).toEqual([]);
    expect(judgeServer('c1', samples('c1', { lag: (t) => (t === 40 ? 60 : 3) }), DEFAULT_LIMITS).failures).toEqual([
      'c1: event-loop lag p99 60 ms (limit 50 ms)',
    ]);
    // A higher limit (the in-suite run on a loaded machine) still fails a loop blocked past it.
    const loaded = { ...DEFAULT_LIMITS, lagLimitMs: 250 };
    expect(judgeServer('c1', samples('c1', { lag: (t) => (t === 40 ? 60 : 3) }), loaded).failures).toEqual([]);
    expect(judgeServer('c1', samples('c1', { lag: () => 300 }), loaded).failures).toEqual(['c1: event-loop lag p99 300 ms (limit 250 ms)']);
  });

  it('fails a run too short to judge growth rather than passing it', () => {
    expect(judgeServer('c1', samples('c1', { loadS: 8 }), DEFAULT_LIMITS).failures).toEqual([
      expect.stringMatching(/too few samples to judge growth/),
    ]);
    expect(judgeServer('c1', [], DEFAULT_LIMITS).failures).toEqual(['c1: no samples during the load']);
  });

  it('fails a server that restarted', () => {
    const list = samples('c1').map((s, i) => (i > 40 ? { ...s, pid: 200 } : s));
    expect(judgeServer('c1', list, DEFAULT_LIMITS).failures).toEqual(['c1: restarted during the run (pids 100, 200)']);
  });

  it('joins every server and the loss check', () => {
    const all = [...samples('a'), ...samples('b', { fdsAfter: 50 })];
    expect(judgeSoak(['a'], all, NO_LOSS, DEFAULT_LIMITS).passed).toBe(true);
    const v = judgeSoak(['a', 'b'], all, { ...NO_LOSS, lost: 2 }, DEFAULT_LIMITS);
    expect(v.passed).toBe(false);
    expect(v.failures).toEqual([
      'b: fds 50 after the load, 30 before it (slack 2)',
      '2 messages answered 200 never reached a member of their room',
    ]);
    // A server with no samples at all fails too.
    expect(judgeSoak(['a', 'gone'], all, NO_LOSS, DEFAULT_LIMITS).failures).toEqual(['gone: no samples during the load']);
  });

  it('tells when a round is back at the level', () => {
    const list = samples('a');
    const round = (fds: number): ServerSample[] => [{ ...list[0]!, phase: 'idle-after', fds }];
    expect(backToLevel(list, round(32), 2)).toBe(true);
    expect(backToLevel(list, round(33), 2)).toBe(false);
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile([1, 2, 3], 0.99)).toBe(3);
  });
});
