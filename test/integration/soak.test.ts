/**
 * `npm run soak -- --duration 60` (docs/soak.md): a private cluster under the whole traffic mix, every
 * server sampled once a second; the run's own verdict must pass, with samples of every server in every phase.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerSample } from '../../bench/soak/sampler';
import type { SoakVerdict } from '../../bench/soak/verdict';
import { PROJECT_ROOT } from '../helpers/cluster';

const HARNESS = path.join(PROJECT_ROOT, 'dist/bench/soak/run.js');
/**
 * The lag limit of this run. On this 2-core machine with a CPU burner and other test files beside it, every
 * server, the idle gate too, sees seconds whose p99 is 300-400 ms from waiting for a core; 50 ms is judged by
 * the long run on a quiet machine (docs/soak.md). What this run still catches is a loop blocked for a second.
 */
const IN_SUITE_LAG_LIMIT_MS = 1000;
/**
 * The RSS growth this run allows over its second half (30 s). So soon after the start RSS still climbs while the
 * heap after GC stays flat: V8 grows its young generation and the allocator its arenas under the slow reader's
 * 16 KB messages (seen: a connector's RSS +4.8 % over the second half while its heap after GC moved 1 %, in a
 * 60 s run beside other test files). The heap after GC keeps its 5 %; RSS is judged at 5 % by the long run.
 */
const IN_SUITE_RSS_GROWTH_PERCENT = 15;

interface SoakJson {
  passed: boolean;
  failures: string[];
  servers: string[];
  samples: ServerSample[];
  verdict: SoakVerdict;
  loss: { accepted: number; lost: number };
  operations: Record<string, number>;
  stillAlive: number[];
}

describe('npm run soak', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'soak-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs 60 s of mixed traffic with flat memory, fds and handles back at their level, and nothing lost', async () => {
    const file = path.join(dir, 'soak.json');
    const args = [
      '--duration',
      '60',
      '--lag-limit',
      String(IN_SUITE_LAG_LIMIT_MS),
      '--max-rss-growth',
      String(IN_SUITE_RSS_GROWTH_PERCENT),
      '--json',
      file,
    ];
    const { exitCode, output } = await new Promise<{ exitCode: number; output: string }>((resolve) => {
      execFile(process.execPath, [HARNESS, ...args], { cwd: PROJECT_ROOT, timeout: 150_000 }, (err, out, errOut) =>
        resolve({ exitCode: err ? ((err as { code?: number }).code ?? 1) : 0, output: out + errOut }),
      );
    });
    process.stdout.write(`npm run soak -- ${args.join(' ')}:\n${output}\n`);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(file.replace(/\.json$/, '.html'))).toBe(true);
    const report = JSON.parse(readFileSync(file, 'utf8')) as SoakJson;
    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(true);
    expect(exitCode).toBe(0);
    expect(report.stillAlive).toEqual([]);

    // Every server of the cluster, sampled in every phase, about once a second.
    expect(report.servers).toEqual(expect.arrayContaining(['gate-server-1', 'connector-server-1', 'chat-server-1']));
    for (const server of report.servers) {
      const mine = report.samples.filter((s) => s.server === server);
      for (const phase of ['idle-before', 'load', 'idle-after'] as const)
        expect(mine.filter((s) => s.phase === phase).length).toBeGreaterThan(0);
      expect(mine.filter((s) => s.phase === 'load').length).toBeGreaterThan(30);
      expect(mine.every((s) => s.heapAfterGcBytes > 0 && s.fds > 0 && s.handles > 0)).toBe(true);
    }
    // Each part of the mix ran.
    expect(report.loss.accepted).toBeGreaterThan(500);
    for (const op of ['enter 200', 'join 200', 'history 200', 'leave 200', 'onKick received', 'slow dropped'])
      expect(report.operations[op]).toBeGreaterThan(0);
  }, 170_000);
});
