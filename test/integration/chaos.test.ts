import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FAULT_KINDS } from '../../bench/chaos/schedule';
import { isAlive } from '../../bench/proc-stats';
import { PROJECT_ROOT } from '../helpers/cluster';
import { processesWithEnv } from '../helpers/marked-processes';
import { waitForOutput, waitUntil } from '../helpers/wait';

interface FaultJson {
  kind: string;
  target: string;
  at: number;
  error?: string;
  pid?: number;
  newPid?: number;
  restarted?: { id: string; pid: number; newPid?: number }[];
  rooms?: string[];
  recoveredFalse: number;
}

interface ChaosJson {
  passed: boolean;
  failures: string[];
  faults: FaultJson[];
  accepted: number;
  lost: number;
  lostWithLog: number;
  duplicated: number;
  outOfOrder: number;
  lostNotices: number;
  unexplainedNotices: number;
  refusals: Record<string, number>;
  reentries: { count: number };
  connections: { count: number; roomsEach: number; usersOnTwoDevices: number };
  latencyMs: { p50: number; p99: number };
  startedPids: number[];
  stillAlive: number[];
}

const HARNESS = path.join(PROJECT_ROOT, 'dist/bench/chaos/run.js');
/** A small cluster, a fault every 1.5 s on average after the previous one ended (each takes 1-10 s). */
const SMALL = ['--pause', '1.5', '--rooms', '12', '--connectors', '2', '--chats', '2'];

/** Runs the harness to its end; resolves with its exit code, what it printed and its JSON. */
async function runChaos(args: string[], timeoutMs: number): Promise<{ exitCode: number; stdout: string; report: ChaosJson; dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-test-'));
  const file = path.join(dir, 'chaos.json');
  const { exitCode, stdout } = await new Promise<{ exitCode: number; stdout: string }>((resolve) => {
    execFile(process.execPath, [HARNESS, ...args, '--json', file], { cwd: PROJECT_ROOT, timeout: timeoutMs }, (err, out, errOut) =>
      resolve({ exitCode: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: out + errOut }),
    );
  });
  process.stdout.write(`npm run chaos -- ${args.join(' ')}:\n${stdout}\n`);
  if (!existsSync(file)) throw new Error(`no JSON written; the harness printed:\n${stdout}`);
  return { exitCode, stdout, report: JSON.parse(readFileSync(file, 'utf8')) as ChaosJson, dir };
}

/** The faults that replace a process, each with a new pid: kill -9 and pm2 restart of one, pm2 reload of all, Redis's. */
function replacedPids(report: ChaosJson): { kind: string; target: string; pid?: number; newPid?: number }[] {
  return report.faults.flatMap((f) =>
    f.kind === 'reload'
      ? (f.restarted ?? []).map((r) => ({ kind: f.kind, target: r.id, pid: r.pid, newPid: r.newPid }))
      : f.kind.startsWith('kill-') || f.kind === 'graceful-restart' || f.kind === 'restart-redis'
        ? [{ kind: f.kind, target: f.target, pid: f.pid, newPid: f.newPid }]
        : [],
  );
}

// Every connection follows 3 rooms and some users are on two connections (the harness's defaults): the verdict
// holds per room and per connection.
// Every kind of fault, the cluster's and Redis's (a primary killed -9, a replica restarted), on 2 connectors and
// 2 chat servers. --every-kind runs past --duration until each has run.
describe('npm run chaos with every kind of fault, Redis failovers too, on the Redis room log through Sentinel', () => {
  const ARGS = ['--duration', '20', '--seed', '10', '--store', 'sentinel', '--every-kind', ...SMALL];
  let run: Awaited<ReturnType<typeof runChaos>>;

  beforeAll(async () => {
    run = await runChaos(ARGS, 170_000);
  }, 180_000);

  afterAll(() => run && rmSync(run.dir, { recursive: true, force: true }));

  it('exits 0: nothing lost, duplicated or reordered, nobody told recovered:false', () => {
    expect({ exitCode: run.exitCode, failures: run.report.failures }).toEqual({ exitCode: 0, failures: [] });
    expect(run.report).toMatchObject({ passed: true, lost: 0, lostWithLog: 0, duplicated: 0, outOfOrder: 0, lostNotices: 0 });
  });

  it('ran every kind of fault, each carried out', () => {
    expect([...new Set(run.report.faults.map((f) => f.kind))].sort()).toEqual([...FAULT_KINDS].sort());
    expect(run.report.faults.filter((f) => f.error)).toEqual([]);
  });

  it('the faults took effect: every process killed or restarted has a new pid, a partition froze one, clients re-entered', () => {
    const replaced = replacedPids(run.report);
    // reload: the gate, 2 or 3 connectors and 2 or 3 chat servers.
    expect(replaced.filter((r) => r.kind === 'reload').length).toBeGreaterThanOrEqual(5);
    for (const r of replaced) {
      expect(r).toEqual(expect.objectContaining({ pid: expect.any(Number), newPid: expect.any(Number) }));
      expect({ ...r, changed: r.newPid !== r.pid }).toMatchObject({ changed: true });
    }
    const started = new Set(run.report.startedPids);
    for (const r of replaced) expect([started.has(r.pid!), started.has(r.newPid!)]).toEqual([true, true]);
    expect(run.report.faults.find((f) => f.kind === 'partition')?.pid).toEqual(expect.any(Number));
    // kill-connector, the connectors' restarts and reload drop clients: they come back through the gate.
    expect(run.report.reentries.count).toBeGreaterThan(0);
  });

  it('kept the traffic flowing: hundreds of messages answered 200, latency measured', () => {
    expect(run.report.accepted).toBeGreaterThan(500);
    // 12 rooms of 3 members and a sender each, every connection in 3 rooms, v1 and the sender on two devices.
    expect(run.report.connections).toEqual({ count: 12 * 6, roomsEach: 3, usersOnTwoDevices: 24 });
    expect(run.report.latencyMs.p50).toBeGreaterThan(0);
  });

  it('prints the table, writes the plot beside the JSON and leaves no process it started running', () => {
    expect(run.stdout).toMatch(/FIGURE\s+VALUE/);
    expect(readFileSync(path.join(run.dir, 'chaos.html'), 'utf8')).toContain('<svg');
    expect(run.report.startedPids.length).toBeGreaterThan(5);
    expect(run.report.stillAlive).toEqual([]);
    expect(run.report.startedPids.filter(isAlive)).toEqual([]);
  });
});

// Seed 19 draws a graceful restart of chat-server-1, then a reload, then the kill -9 of chat-server-2: every
// recovered:false before the kill would be a log the memory store lost where it must keep it.
describe('npm run chaos on the memory room log: graceful restart and reload keep every room, kill -9 tells its members', () => {
  const ARGS = [
    '--duration',
    '15',
    '--seed',
    '19',
    '--store',
    'memory',
    '--faults',
    'graceful-restart,reload,kill-chat',
    '--every-kind',
    ...SMALL,
  ];
  let run: Awaited<ReturnType<typeof runChaos>>;
  const fault = (kind: string): FaultJson => run.report.faults.find((f) => f.kind === kind)!;

  beforeAll(async () => {
    run = await runChaos(ARGS, 110_000);
  }, 120_000);

  afterAll(() => run && rmSync(run.dir, { recursive: true, force: true }));

  it('exits 0: nothing lost, duplicated or reordered, no recovered:false but after the kill -9', () => {
    expect({ exitCode: run.exitCode, failures: run.report.failures }).toEqual({ exitCode: 0, failures: [] });
    expect(run.report).toMatchObject({ passed: true, lost: 0, duplicated: 0, outOfOrder: 0, unexplainedNotices: 0 });
    expect(run.report.faults.map((f) => [f.kind, f.target, f.error])).toEqual([
      ['graceful-restart', 'chat-server-1', undefined],
      ['reload', 'ecosystem.config.js', undefined],
      ['kill-chat', 'chat-server-2', undefined],
    ]);
  });

  it('a graceful restart and a reload: every process replaced, no member told recovered:false', () => {
    for (const r of replacedPids(run.report)) expect({ ...r, changed: r.newPid !== r.pid }).toMatchObject({ changed: true });
    expect(fault('reload').restarted?.length).toBeGreaterThanOrEqual(5);
    expect([fault('graceful-restart').recoveredFalse, fault('reload').recoveredFalse]).toEqual([0, 0]);
    expect(run.report.reentries.count).toBeGreaterThan(0);
  });

  it('a kill -9 of a chat server: the members of its rooms are told recovered:false', () => {
    expect(fault('kill-chat').rooms?.length).toBeGreaterThan(0);
    expect(fault('kill-chat').recoveredFalse).toBeGreaterThan(0);
  });
});

describe('npm run chaos stopped with Ctrl-C', () => {
  const mark = randomUUID();
  let child: ChildProcess | undefined;
  let output = '';

  afterAll(async () => {
    // Also on failure: nothing the harness started outlives the test.
    child?.kill('SIGKILL');
    for (const pid of processesWithEnv('CHAOS_TEST_MARK', mark)) {
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  });

  it('stops every process it started (pm2 daemon, servers) and exits 130 within seconds', async () => {
    child = spawn(process.execPath, [HARNESS, '--duration', '120', '--store', 'memory', ...SMALL], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CHAOS_TEST_MARK: mark },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput(child, () => output, 'cluster up in', 60_000);
    // The servers it started, found by what they inherited from it rather than by what it says it started.
    const started = processesWithEnv('CHAOS_TEST_MARK', mark).filter((pid) => pid !== child!.pid);
    expect(started.length).toBeGreaterThanOrEqual(6);

    const signalledAt = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    const tookMs = Date.now() - signalledAt;
    process.stdout.write(`npm run chaos, Ctrl-C after the cluster was up: exit code ${code} after ${tookMs} ms\n${output}\n`);

    expect(code).toBe(130);
    expect(tookMs).toBeLessThan(20_000);
    expect(output).toContain('SIGINT: stopping everything the chaos run started');
    // pm2 kill answers as its processes go; give the last of them a moment to be reaped.
    await waitUntil(
      () => started.filter(isAlive).length === 0,
      5000,
      'every process the harness started gone',
      () => `still alive: ${started.filter(isAlive).join(', ')}`,
    );
    expect(processesWithEnv('CHAOS_TEST_MARK', mark)).toEqual([]);
  }, 90_000);
});
