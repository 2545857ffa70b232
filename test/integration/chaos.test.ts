import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../../bench/proc-stats';
import { PROJECT_ROOT } from '../helpers/cluster';

interface ChaosJson {
  passed: boolean;
  failures: string[];
  faults: { kind: string; target: string; at: number; error?: string }[];
  accepted: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  refusals: Record<string, number>;
  latencyMs: { p50: number; p99: number };
  startedPids: number[];
  stillAlive: number[];
}

// 30 s of traffic, a fault every 1.5 s on average after the previous one ended (each takes 1-5 s), on Redis,
// where no loss is excused. Seed 10 draws kill-gate, kill-chat, kill-connector, scale-out, partition, scale-in, restart.
const ARGS = [
  '--duration',
  '30',
  '--seed',
  '10',
  '--pause',
  '1.5',
  '--store',
  'redis',
  '--rooms',
  '12',
  '--connectors',
  '2',
  '--chats',
  '2',
];

describe('npm run chaos, 30 s with a fixed seed on the Redis room log', () => {
  let dir: string;
  let exitCode: number;
  let stdout: string;
  let report: ChaosJson;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-test-'));
    const file = path.join(dir, 'chaos.json');
    ({ exitCode, stdout } = await new Promise<{ exitCode: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(PROJECT_ROOT, 'dist/bench/chaos/run.js'), ...ARGS, '--json', file],
        { cwd: PROJECT_ROOT, timeout: 85_000 },
        (err, out, errOut) => resolve({ exitCode: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: out + errOut }),
      );
    }));
    process.stdout.write(`npm run chaos -- ${ARGS.join(' ')}:\n${stdout}\n`);
    if (!existsSync(file)) throw new Error('no JSON written');
    report = JSON.parse(readFileSync(file, 'utf8')) as ChaosJson;
  }, 90_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0: nothing lost, duplicated or reordered', () => {
    expect({ exitCode, failures: report.failures }).toEqual({ exitCode: 0, failures: [] });
    expect(report).toMatchObject({ passed: true, lost: 0, duplicated: 0, outOfOrder: 0 });
  });

  it('ran faults of several kinds, each carried out', () => {
    const kinds = new Set(report.faults.map((f) => f.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(4);
    expect(report.faults.filter((f) => f.error)).toEqual([]);
  });

  it('kept the traffic flowing: hundreds of messages answered 200, latency measured', () => {
    expect(report.accepted).toBeGreaterThan(500);
    expect(report.latencyMs.p50).toBeGreaterThan(0);
  });

  it('prints the table, writes the plot beside the JSON and leaves no process it started running', () => {
    expect(stdout).toMatch(/FIGURE\s+VALUE/);
    expect(readFileSync(path.join(dir, 'chaos.html'), 'utf8')).toContain('<svg');
    expect(report.startedPids.length).toBeGreaterThan(5);
    expect(report.stillAlive).toEqual([]);
    expect(report.startedPids.filter(isAlive)).toEqual([]);
  });
});
