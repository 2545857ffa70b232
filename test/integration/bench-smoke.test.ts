import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from '../../bench/proc-stats';
import type { ReportRow } from '../../bench/report';
import { PROJECT_ROOT } from '../helpers/cluster';

const run = promisify(execFile);

interface BenchJson {
  rows: ReportRow[];
  startedPids: number[];
  stillAlive: number[];
  machine: { loadAverages: Record<string, number[]> };
}

describe('npm run bench, a few seconds of it', () => {
  let dir: string;
  let stdout: string;
  let report: BenchJson;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
    const args = ['--size', 'quick', '--only', 'chat,join', '--target', 'both', '--steps', '2', '--results', dir];
    ({ stdout } = await run(process.execPath, [path.join(PROJECT_ROOT, 'dist/bench/run.js'), ...args], {
      cwd: PROJECT_ROOT,
      timeout: 150_000,
    }));
    const [file] = readdirSync(dir).filter((f) => f.endsWith('.json'));
    report = JSON.parse(readFileSync(path.join(dir, file!), 'utf8')) as BenchJson;
  }, 170_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const row = (scenario: string, figure: string): ReportRow => {
    const found = report.rows.find((r) => r.scenario === scenario && r.figure === figure);
    if (!found) throw new Error(`no row ${scenario} / ${figure}`);
    return found;
  };

  it('prints one table with cluster, baseline and ratio', () => {
    expect(stdout).toMatch(/SCENARIO\s+FIGURE\s+UNIT\s+CLUSTER\s+BASELINE\s+RATIO/);
    expect(stdout).toContain('peak delivered');
  });

  it('delivers messages on both targets and computes the ratio', () => {
    const peak = row('chat', 'peak delivered');
    expect(peak.cluster).toBeGreaterThan(0);
    expect(peak.baseline).toBeGreaterThan(0);
    expect(peak.ratio).toBeCloseTo(peak.cluster! / peak.baseline!, 1);
    const p99 = row('chat', 'p99 at 50% of peak');
    expect(p99.cluster).toBeGreaterThan(0);
    expect(p99.baseline).toBeGreaterThan(0);
  });

  it('enters every user of the join storm on both targets', () => {
    expect(row('join', 'enters').cluster).toBeGreaterThan(0);
    expect(row('join', 'enters').baseline).toBeGreaterThan(0);
    expect(row('join', 'failed enters')).toMatchObject({ cluster: 0, baseline: 0 });
  });

  it('records the load average and leaves no process behind', () => {
    expect(report.machine.loadAverages.start).toHaveLength(3);
    // Load workers, baseline, pm2 daemon and the servers it ran.
    expect(report.startedPids.length).toBeGreaterThanOrEqual(2 + 1 + 1 + 7);
    expect(report.stillAlive).toEqual([]);
    expect(report.startedPids.filter(isAlive)).toEqual([]);
  });
});
