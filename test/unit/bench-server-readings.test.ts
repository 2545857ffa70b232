import { LAG_P99_METRIC, loopLagP99Ms } from '../../bench/loop-lag';
import { coreWaits, cpuDuring } from '../../bench/proc-stats';
import type { MetricsSnapshot } from '../../game-server/admin/admin-messages';

const lagSnapshot = (seconds: number): MetricsSnapshot =>
  [
    { name: LAG_P99_METRIC, help: '', type: 'gauge', aggregator: 'sum', values: [{ value: seconds, labels: {} }] },
  ] as unknown as MetricsSnapshot;

describe("the bench's readings of a server", () => {
  it("gives each server's event-loop delay p99 in ms, less the 10 ms timer, and skips a server without it", () => {
    const snapshots = new Map([
      ['chat-server-1', lagSnapshot(0.01234)],
      ['chat-server-2', lagSnapshot(0.0099)],
      ['gate-server-1', [] as MetricsSnapshot],
    ]);
    expect(loopLagP99Ms(snapshots)).toEqual({ 'chat-server-1': 2.34, 'chat-server-2': 0 });
  });

  it("reads a process's waits for a core from /proc, and none for a process that is gone", async () => {
    const mine = coreWaits(process.pid);
    expect(mine.runs).toBeGreaterThan(0);
    expect(mine.waitNs).toBeGreaterThanOrEqual(0);
    expect(coreWaits(2 ** 22 + 1)).toEqual({ waitNs: 0, runs: 0 });

    // This process runs again at least once while the body waits for a timer.
    const { waits } = await cpuDuring([process.pid], () => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(waits[0]!.runs).toBeGreaterThan(0);
  });
});
