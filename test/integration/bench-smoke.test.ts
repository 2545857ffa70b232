import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from '../../bench/proc-stats';
import type { ReportRow } from '../../bench/report';
import type { ScalePoint } from '../../bench/scenarios/scale-out';
import { PROJECT_ROOT } from '../helpers/cluster';

const run = promisify(execFile);

interface BenchJson {
  rows: ReportRow[];
  startedPids: number[];
  stillAlive: number[];
  machine: { loadAverages: Record<string, number[]> };
  details: { scale: Record<'cluster' | 'adapter', { details: { points: ScalePoint[] } }> };
}

describe('npm run bench, a few seconds of it (cluster, baseline, cluster adapter; scale-out count at n = 2 and 4)', () => {
  let dir: string;
  let stdout: string;
  let report: BenchJson;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
    const args = ['--size', 'quick', '--only', 'chat,join,scale', '--target', 'all', '--steps', '2', '--results', dir];
    ({ stdout } = await run(process.execPath, [path.join(PROJECT_ROOT, 'dist/bench/run.js'), ...args], {
      cwd: PROJECT_ROOT,
      timeout: 400_000,
    }));
    const [file] = readdirSync(dir).filter((f) => f.endsWith('.json'));
    report = JSON.parse(readFileSync(path.join(dir, file!), 'utf8')) as BenchJson;
  }, 420_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const row = (scenario: string, figure: string): ReportRow => {
    const found = report.rows.find((r) => r.scenario === scenario && r.figure === figure);
    if (!found) throw new Error(`no row ${scenario} / ${figure}`);
    return found;
  };

  it('prints one table with cluster, baseline, adapter and both ratios, and writes the plots', () => {
    expect(stdout).toMatch(/SCENARIO\s+FIGURE\s+UNIT\s+CLUSTER\s+BASELINE\s+ADAPTER \(3 WORKERS\)\s+RATIO\s+RATIO TO ADAPTER/);
    expect(stdout).toContain('peak delivered');
    expect(stdout).toContain('3 node:cluster workers');
    expect(readdirSync(dir).filter((f) => f.endsWith('.html'))).toHaveLength(2);
  });

  it('delivers messages on the three targets and computes both ratios', () => {
    const peak = row('chat', 'peak delivered');
    expect(peak.cluster).toBeGreaterThan(0);
    expect(peak.baseline).toBeGreaterThan(0);
    expect(peak.adapter).toBeGreaterThan(0);
    expect(peak.ratio).toBeCloseTo(peak.cluster! / peak.baseline!, 1);
    expect(peak.adapterRatio).toBeCloseTo(peak.cluster! / peak.adapter!, 1);
    const p99 = row('chat', 'p99 at 50% of peak');
    expect(p99.cluster).toBeGreaterThan(0);
    expect(p99.baseline).toBeGreaterThan(0);
    expect(p99.adapter).toBeGreaterThan(0);
  });

  it("measures every target at half and a tenth of the cluster's peak, the same offered loads", () => {
    const peak = row('chat', 'peak delivered');
    const reference = row('chat', 'reference peak (first target)');
    expect(reference).toMatchObject({ cluster: peak.cluster, baseline: peak.cluster, adapter: peak.cluster });
    const atHalf = row('chat', 'p99 at 50% of the reference peak');
    for (const target of ['cluster', 'baseline', 'adapter'] as const) expect(atHalf[target]).toBeGreaterThan(0);
    const offered = row('chat', 'light load offered');
    expect(offered.cluster).toBeCloseTo(peak.cluster! / 10, -1);
    expect(offered.baseline).toBe(offered.cluster);
    expect(offered.adapter).toBe(offered.cluster);
    const p99 = row('chat', 'p99 at light load');
    for (const target of ['cluster', 'baseline', 'adapter'] as const) expect(p99[target]).toBeGreaterThan(0);
  });

  it('enters every user of the join storm on the three targets', () => {
    const enters = row('join', 'enters');
    for (const target of ['cluster', 'baseline', 'adapter'] as const) expect(enters[target]).toBeGreaterThan(0);
    expect(row('join', 'failed enters')).toMatchObject({ cluster: 0, baseline: 0, adapter: 0 });
    // Where an enter's CPU went, from /proc: every target's servers and the load generator did work.
    for (const figure of ['server CPU per enter', 'load generator CPU per enter', 'machine busy during the storm']) {
      for (const target of ['cluster', 'baseline', 'adapter'] as const) expect(row('join', figure)[target]).toBeGreaterThan(0);
    }
  });

  it("counts the scale-out's internal traffic from the servers' counters, per layout", () => {
    const { cluster, adapter } = report.details.scale;
    expect(cluster.details.points.map((p) => p.n)).toEqual([2, 4]);
    expect(adapter.details.points.map((p) => p.n)).toEqual([2, 4]);
    for (const p of [...cluster.details.points, ...adapter.details.points]) {
      expect(p.deliveries).toBeGreaterThan(0);
      // Counted with nothing in flight, the servers' deliveries are the load generators'.
      expect(p.deliveries).toBeGreaterThanOrEqual(p.loadGenDeliveries * 0.98);
      expect(p.deliveries).toBeLessThanOrEqual(p.loadGenDeliveries * 1.02);
      expect(p.traffic.messages).toBeGreaterThan(0);
      expect(p.traffic.bytes).toBeGreaterThan(p.traffic.messages);
      expect(row('scale', `internal messages per delivery, n=${p.n}`)).toMatchObject({
        cluster: expect.any(Number),
        adapter: expect.any(Number),
      });
    }
    for (const p of cluster.details.points) {
      // A forward and its answer per message, and a push to each connector holding members of the room (at most n).
      expect(p.traffic.pushes).toBeGreaterThan(0);
      expect(p.pushesPerSend).toBeLessThanOrEqual(p.n + 0.02);
    }
    for (const p of adapter.details.points) {
      // Every broadcast: one message to the primary, relayed to the n - 1 other workers (and a few heartbeats).
      expect(p.messagesPerSend).toBeGreaterThanOrEqual(p.n * 0.98);
      expect(p.messagesPerSend).toBeLessThanOrEqual(p.n * 1.1);
    }
  });

  it('records the load average and leaves no process behind', () => {
    expect(report.machine.loadAverages.start).toHaveLength(3);
    // Load workers, baseline, adapter primary and its 3 workers, pm2 daemon and the servers it ran.
    expect(report.startedPids.length).toBeGreaterThanOrEqual(2 + 1 + 4 + 1 + 7);
    expect(report.stillAlive).toEqual([]);
    expect(report.startedPids.filter(isAlive)).toEqual([]);
  });
});
