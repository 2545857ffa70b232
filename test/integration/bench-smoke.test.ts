import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from '../../bench/proc-stats';
import type { ReportRow } from '../../bench/report';
import type { ScalePoint } from '../../bench/scenarios/scale-out';
import type { StepResult } from '../../bench/scenarios/step-up';
import { PROJECT_ROOT } from '../helpers/cluster';

const run = promisify(execFile);

interface BenchJson {
  rows: ReportRow[];
  startedPids: number[];
  stillAlive: number[];
  machine: { loadAverages: Record<string, number[]> };
  details: {
    scale: Record<'cluster' | 'adapter', { details: { points: ScalePoint[] } }>;
    chat: Record<'cluster' | 'baseline' | 'adapter' | 'adapter-bare', { details: { steps: StepResult[] } }>;
  };
}

const TARGETS = ['cluster', 'baseline', 'adapter'] as const;
/** The chat and join scenarios run on the bare adapter too (its column in ReportRow). */
const CHAT_TARGETS = [...TARGETS, 'adapterBare'] as const;

/** Runs dist/bench/run.js with `args` (and `env` on top of this process's), results into a folder of its own. */
async function runBench(args: string[], env: Record<string, string> = {}): Promise<{ dir: string; stdout: string; report: BenchJson }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
  const { stdout } = await run(process.execPath, [path.join(PROJECT_ROOT, 'dist/bench/run.js'), ...args, '--results', dir], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    timeout: 400_000,
  });
  const [file] = readdirSync(dir).filter((f) => f.endsWith('.json'));
  return { dir, stdout, report: JSON.parse(readFileSync(path.join(dir, file!), 'utf8')) as BenchJson };
}

const rowOf =
  (report: () => BenchJson) =>
  (scenario: string, figure: string): ReportRow => {
    const found = report().rows.find((r) => r.scenario === scenario && r.figure === figure);
    if (!found) throw new Error(`no row ${scenario} / ${figure}`);
    return found;
  };

describe('npm run bench, a few seconds of it (cluster, baseline, both cluster adapters; scale-out count at n = 2 and 4)', () => {
  let dir: string;
  let stdout: string;
  let report: BenchJson;

  beforeAll(async () => {
    ({ dir, stdout, report } = await runBench(['--size', 'quick', '--only', 'chat,join,scale', '--target', 'all', '--steps', '2']));
  }, 420_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const row = rowOf(() => report);

  it('prints one table with cluster, baseline, both adapters and the ratios, and writes the plots', () => {
    expect(stdout).toMatch(
      /SCENARIO\s+FIGURE\s+UNIT\s+CLUSTER\s+BASELINE\s+ADAPTER \(3 WORKERS\)\s+BARE ADAPTER \(3 WORKERS\)\s+RATIO\s+RATIO TO ADAPTER\s+RATIO TO BARE/,
    );
    expect(stdout).toContain('peak delivered');
    expect(stdout).toContain('3 node:cluster workers');
    expect(stdout).toContain('routes and pushes only');
    expect(readdirSync(dir).filter((f) => f.endsWith('.html'))).toHaveLength(2);
  });

  it('delivers messages on the four targets and computes the ratios', () => {
    const peak = row('chat', 'peak delivered');
    for (const target of CHAT_TARGETS) expect(peak[target]).toBeGreaterThan(0);
    expect(peak.ratio).toBeCloseTo(peak.cluster! / peak.baseline!, 1);
    expect(peak.adapterRatio).toBeCloseTo(peak.cluster! / peak.adapter!, 1);
    expect(peak.bareRatio).toBeCloseTo(peak.cluster! / peak.adapterBare!, 1);
    const p99 = row('chat', 'p99 at 50% of peak');
    for (const target of CHAT_TARGETS) expect(p99[target]).toBeGreaterThan(0);
  });

  it("measures every target at half and a tenth of the cluster's peak, the same offered loads", () => {
    const peak = row('chat', 'peak delivered');
    const reference = row('chat', 'reference peak (first target)');
    expect(reference).toMatchObject({ cluster: peak.cluster, baseline: peak.cluster, adapter: peak.cluster, adapterBare: peak.cluster });
    const atHalf = row('chat', 'p99 at 50% of the reference peak');
    for (const target of CHAT_TARGETS) expect(atHalf[target]).toBeGreaterThan(0);
    const offered = row('chat', 'light load offered');
    expect(offered.cluster).toBeCloseTo(peak.cluster! / 10, -1);
    for (const target of CHAT_TARGETS) expect(offered[target]).toBe(offered.cluster);
    const p99 = row('chat', 'p99 at light load');
    for (const target of CHAT_TARGETS) expect(p99[target]).toBeGreaterThan(0);
  });

  it("reads the cluster's per-hop latency at its steps from its servers' metrics, and none on the other targets", () => {
    const hops = ['receipt_to_handler', 'handler_to_push', 'push_link', 'push_to_write', 'receipt_to_write'];
    // A step whose servers were too busy to answer the metrics request has none (it says so); the others have
    // every hop, in the order a message takes them, each with observations (sampled hops: one request in 10).
    const withHops = report.details.chat.cluster.details.steps.filter((step) => step.hops !== undefined);
    expect(withHops.length).toBeGreaterThan(0);
    for (const step of withHops) {
      expect(Object.keys(step.hops!)).toEqual(hops);
      for (const hop of hops) expect(step.hops![hop]).toEqual({ count: expect.any(Number), p99Ms: expect.any(Number) });
      // Each server's event-loop delay in the same window, read with the hops.
      expect(Object.keys(step.loopLagP99Ms!)).toEqual(expect.arrayContaining(['gate-server-1', 'connector-server-1', 'chat-server-1']));
      for (const ms of Object.values(step.loopLagP99Ms!)) expect(ms).toBeGreaterThanOrEqual(0);
    }
    for (const target of ['baseline', 'adapter', 'adapter-bare'] as const) {
      for (const step of report.details.chat[target].details.steps) {
        expect(step.hops).toBeUndefined();
        expect(step.loopLagP99Ms).toBeUndefined();
      }
    }
    // Every target's steps say how long each server process waited for a core, per run.
    for (const target of ['cluster', 'baseline', 'adapter', 'adapter-bare'] as const) {
      for (const step of report.details.chat[target].details.steps) {
        expect(Object.keys(step.processCoreWaitUs)).toEqual(Object.keys(step.processCpuShare));
        expect(step.coreWaitUs).toBeGreaterThanOrEqual(0);
      }
    }
    expect(stdout).toMatch(/core wait per run \[[\d. ]+\] µs/);
    expect(stdout).toMatch(/p99 per hop: receipt_to_handler [\d.]+ ms \(\d+\), handler_to_push/);
    expect(stdout).toMatch(/event-loop delay p99: .*connector-server-1 [\d.]+ ms.*chat-server-1 [\d.]+ ms/);
  });

  it('enters every user of the join storm on the four targets', () => {
    const enters = row('join', 'enters');
    for (const target of CHAT_TARGETS) expect(enters[target]).toBeGreaterThan(0);
    expect(row('join', 'failed enters')).toMatchObject({ cluster: 0, baseline: 0, adapter: 0, adapterBare: 0 });
    // Where an enter's CPU went, from /proc: every target's servers and the load generator did work.
    for (const figure of ['server CPU per enter', 'load generator CPU per enter', 'machine busy during the storm']) {
      for (const target of CHAT_TARGETS) expect(row('join', figure)[target]).toBeGreaterThan(0);
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
    // Load workers, baseline, each adapter's primary and its 3 workers, pm2 daemon and the servers it ran.
    expect(report.startedPids.length).toBeGreaterThanOrEqual(2 + 1 + 4 + 4 + 1 + 7);
    expect(report.stillAlive).toEqual([]);
    expect(report.startedPids.filter(isAlive)).toEqual([]);
  });
});

interface RoomsJson extends BenchJson {
  details: BenchJson['details'] & {
    multiRoom: Record<(typeof TARGETS)[number], { details: { extraMemberships: number; memoryAfterGc: boolean } }>;
    presence: Record<(typeof TARGETS)[number], { details: { entered: number; received: number; served?: number } }>;
  };
}

// 40 connections in 3 rooms of 10 each; 100 users into one room with the presence cap at 20.
const ROOMS = { clients: 40, roomsPerClient: 3, roomSize: 10, presenceUsers: 100, presenceCap: 20 };

describe('npm run bench, the multi-room and presence-storm scenarios at a tiny size (cluster, baseline, cluster adapter)', () => {
  let dir: string;
  let report: RoomsJson;

  beforeAll(async () => {
    const args = ['--size', 'quick', '--only', 'multiRoom,presence', '--target', 'cluster,baseline,adapter', '--steps', '1'];
    const sizes = ['--multi-room-clients', ROOMS.clients, '--rooms-per-client', ROOMS.roomsPerClient, '--multi-room-size', ROOMS.roomSize];
    const presence = ['--presence-users', ROOMS.presenceUsers];
    let json: BenchJson;
    ({ dir, report: json } = await runBench([...args, ...[...sizes, ...presence].map(String)], {
      PRESENCE_MAX_MEMBERS: String(ROOMS.presenceCap),
    }));
    report = json as RoomsJson;
  }, 420_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const row = rowOf(() => report);

  it('joins every connection to its other rooms and measures memory per extra membership after a full GC', () => {
    for (const target of TARGETS) {
      expect(report.details.multiRoom[target].details).toMatchObject({
        extraMemberships: ROOMS.clients * (ROOMS.roomsPerClient - 1),
        memoryAfterGc: true,
      });
      expect(row('multiRoom', 'joins')[target]).toBeGreaterThan(0);
      expect(row('multiRoom', 'connector RSS per extra membership')[target]).toEqual(expect.any(Number));
      expect(row('multiRoom', 'connector heap per extra membership')[target]).toEqual(expect.any(Number));
      // At this size the figure is noise; the verdict is a yes or a no.
      expect([0, 1]).toContain(row('multiRoom', 'memory per membership within 1 KiB, heap (1 yes, 0 no)')[target]);
    }
  });

  it("delivers messages sent to every room of a connection, and gives the cluster's ratios", () => {
    const peak = row('multiRoom', 'peak delivered');
    for (const target of TARGETS) expect(peak[target]).toBeGreaterThan(0);
    expect(peak.ratio).toBeCloseTo(peak.cluster! / peak.baseline!, 1);
    expect(peak.adapterRatio).toBeCloseTo(peak.cluster! / peak.adapter!, 1);
  });

  it('enters every user of the presence storm and keeps the presence pushes within the cap', () => {
    expect(row('presence', 'failed enters')).toMatchObject({ cluster: 0, baseline: 0, adapter: 0 });
    const n = ROOMS.presenceUsers;
    for (const target of TARGETS) {
      expect(row('presence', 'time until all are in')[target]).toBeGreaterThan(0);
      const { received } = report.details.presence[target].details;
      // Only the first 20 newcomers are announced, each to at most everyone else: far fewer than n (n - 1) / 2.
      expect(received).toBeGreaterThanOrEqual((ROOMS.presenceCap * (ROOMS.presenceCap - 1)) / 2);
      expect(received).toBeLessThanOrEqual(ROOMS.presenceCap * (n - 1));
      expect(row('presence', 'presence pushes received')[target]).toBe(received);
      expect(row('presence', 'connector peak RSS')[target]).toBeGreaterThanOrEqual(row('presence', 'connector RSS before')[target]!);
    }
    // The connectors' own count of what they wrote is what the clients received.
    expect(report.details.presence.cluster.details.served).toBe(report.details.presence.cluster.details.received);
  });

  it('leaves no process behind', () => {
    expect(report.stillAlive).toEqual([]);
    expect(report.startedPids.filter(isAlive)).toEqual([]);
  });
});
