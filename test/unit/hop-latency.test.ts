import { bucketQuantile, hopBuckets, hopLatencyBetween } from '../../bench/hop-latency';
import type { MetricsSnapshot } from '../../game-server/admin/admin-messages';
import { batchStampOf, HopSampler, hopTraceOf } from '../../game-server/metrics/hop-trace';
import { ServerMetrics } from '../../game-server/metrics/server-metrics';

describe('the hop sampler', () => {
  it('says yes to one call in N, and never for 0', () => {
    const every4 = new HopSampler(4);
    expect(Array.from({ length: 8 }, () => every4.sample())).toEqual([false, false, false, true, false, false, false, true]);
    const never = new HopSampler(0);
    expect(Array.from({ length: 5 }, () => never.sample())).toEqual([false, false, false, false, false]);
    expect(new HopSampler(1).sample()).toBe(true);
  });
});

describe("a peer's trace and push-batch stamp", () => {
  it('are taken when well formed, and ignored otherwise', () => {
    expect(hopTraceOf({ frontendId: 'c1', receivedAt: 5 })).toEqual({ frontendId: 'c1', receivedAt: 5 });
    expect(hopTraceOf({ frontendId: 'c1', receivedAt: 5, handledAt: 6 })).toEqual({ frontendId: 'c1', receivedAt: 5, handledAt: 6 });
    for (const bad of [
      null,
      'x',
      {},
      { frontendId: 1, receivedAt: 5 },
      { frontendId: 'c1', receivedAt: 'now' },
      { frontendId: 'c1', receivedAt: 5, handledAt: null },
    ]) {
      expect(hopTraceOf(bad)).toBeUndefined();
    }
    expect(batchStampOf({ sentAt: 7 })).toEqual({ sentAt: 7 });
    expect(batchStampOf({ sentAt: 7, trace: { frontendId: 'c1', receivedAt: 5 } })).toEqual({
      sentAt: 7,
      trace: { frontendId: 'c1', receivedAt: 5 },
    });
    // A bad trace leaves the batch's own time.
    expect(batchStampOf({ sentAt: 7, trace: { frontendId: 'c1' } })).toEqual({ sentAt: 7 });
    for (const bad of [undefined, [], { sentAt: Infinity }, { sentAt: '7' }]) expect(batchStampOf(bad)).toBeUndefined();
  });
});

describe('the per-hop p99 the bench reads from the servers', () => {
  it('interpolates within a bucket, as histogram_quantile does, and stops at the last finite bound', () => {
    // 100 observations: 50 under 1 ms, 40 in (1, 2] ms, 10 in (2, 4] ms.
    const buckets: [number, number][] = [
      [0.001, 50],
      [0.002, 90],
      [0.004, 100],
      [Infinity, 100],
    ];
    expect(bucketQuantile(buckets, 0.5)).toBeCloseTo(0.001, 9);
    expect(bucketQuantile(buckets, 0.99)).toBeCloseTo(0.002 + 0.002 * 0.9, 9);
    expect(
      bucketQuantile(
        [
          [0.001, 0],
          [Infinity, 10],
        ],
        0.99,
      ),
    ).toBe(0.001);
    expect(bucketQuantile([[Infinity, 0]], 0.99)).toBeNaN();
  });

  it("sums every server's histogram and takes the difference between two readings", async () => {
    const server = (id: string): ServerMetrics =>
      new ServerMetrics({ id, serverType: 'connector', host: '127.0.0.1', frontend: true }, undefined, { defaultMetrics: false });
    const [a, b] = [server('c1'), server('c2')];
    a.hop('push_link', 0, 0.5);
    const before = hopBuckets([await a.snapshot(), await b.snapshot()] as MetricsSnapshot[]);
    for (let i = 0; i < 50; i++) a.hop('push_link', 0, 0.5);
    for (let i = 0; i < 50; i++) b.hop('push_link', 0, 40);
    b.hop('receipt_to_write', 10, 9); // two clocks apart: counts as 0
    const after = hopBuckets([await a.snapshot(), await b.snapshot()] as MetricsSnapshot[]);
    const latency = hopLatencyBetween(before, after);
    expect(Object.keys(latency)).toEqual(['push_link', 'receipt_to_write']);
    expect(latency.push_link!.count).toBe(100);
    // The p99 of 50 at 0.5 ms and 50 at 40 ms falls in the 30-50 ms bucket.
    expect(latency.push_link!.p99Ms).toBeGreaterThan(30);
    expect(latency.push_link!.p99Ms).toBeLessThanOrEqual(50);
    expect(latency.receipt_to_write).toEqual({ count: 1, p99Ms: expect.any(Number) });
    expect(latency.receipt_to_write!.p99Ms).toBeLessThanOrEqual(0.1);
  });
});
