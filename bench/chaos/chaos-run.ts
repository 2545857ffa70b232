/**
 * One chaos run: a private cluster, verifying clients in many rooms with a sender each, a fault
 * schedule drawn from the seed, then the verdict. `stop()` ends everything it started, whenever called.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { issueToken } from '../../app/auth/tokens';
import { PrivatePm2Cluster } from '../../game-server/cli/private-pm2-cluster';
import { PrivateRedisCluster } from '../../game-server/cli/private-redis-cluster';
import { PrivateRedisServer } from '../../game-server/cli/private-redis-server';
import { PrivateRedisSentinel } from '../../game-server/cli/private-redis-sentinel';
import { FaultRunner, type FaultRecord } from './faults';
import { drawSchedule, type FaultKind } from './schedule';
import { Timeline } from './timeline';
import { chaosLayout, roomName } from './layout';
import { sentAt, startTraffic, type SendRecord } from './traffic';
import { judge, longestOutage, refusalsByCode, waitForVerdict, type Outage, type Store, type Verdict } from './verdict';
import { VerifyingClient } from './verifying-client';
import { sleep } from '../../game-server/sleep';

export interface ChaosOptions {
  durationS: number;
  seed: number;
  store: Store;
  rooms: number;
  /** Verifying members per room (each room has one sender besides), counted in their home room (see layout.ts). */
  members: number;
  /** How many rooms each connection follows (its home and the next ones). */
  roomsPerConnection: number;
  /** Some users on two connections (needs AUTH_SECRET: the run sets one and signs tokens). */
  multiDevice: boolean;
  /** Messages per second over the whole cluster, spread over the rooms' senders. */
  rate: number;
  connectors: number;
  chats: number;
  /** Mean pause between faults, s. */
  pauseS: number;
  kinds: FaultKind[];
  /** Go on past `durationS` until every kind of `kinds` has run once (a busy machine makes faults slower). */
  everyKind?: boolean;
}

export interface ChaosResult extends Verdict {
  /** What each fault did, and how many members were told recovered:false from its start until the next one. */
  faults: (Omit<FaultRecord, 'startedAt' | 'endedAt' | 'upAt'> & { recoveredFalse: number })[];
  sends: number;
  /** The verifying connections: how many, how many rooms each follows, how many users were on two. */
  connections: { count: number; roomsEach: number; usersOnTwoDevices: number };
  refusals: Record<string, number>;
  longestNoAnswer?: Outage;
  reentries: { count: number; p50Ms?: number; maxMs?: number };
  /** Why attempts to (re-)enter failed, by reason (numbers in it made #), most frequent first. */
  entryFailures: Record<string, number>;
  /** Clients still not back in their room when the run ended. */
  notBack: string[];
  latencyMs: { p50: number; p99: number; max: number };
  answerMs: { p50: number; p99: number; max: number };
  timeline: ReturnType<Timeline['points']>;
  startedPids: number[];
}

const MiB = 1024 * 1024;
/** Server settings for the run (an environment variable of the same name wins). */
const SERVER_ENV_DEFAULTS: Record<string, string> = { LOG_LEVEL: 'warn', CLIENT_MAX_BUFFERED_BYTES: String(4 * MiB) };
/** A run stops starting faults this long before its end, so that the last one is over before traffic stops. */
const QUIET_S = 4;
const SETTLE_MS = 20_000;

const quantiles = (values: number[]): { p50Ms?: number; maxMs?: number } => {
  if (values.length === 0) return {};
  const sorted = [...values].sort((a, b) => a - b);
  return { p50Ms: sorted[Math.floor((sorted.length - 1) / 2)]!, maxMs: sorted[sorted.length - 1]! };
};

export class ChaosRun {
  private cluster?: PrivatePm2Cluster;
  private redis?: PrivateRedisServer | PrivateRedisSentinel | PrivateRedisCluster;
  private faults?: FaultRunner;
  private readonly clients: VerifyingClient[] = [];
  private stopping = false;
  private connections = { count: 0, roomsEach: 0, usersOnTwoDevices: 0 };
  private stopped?: Promise<void>;

  constructor(
    private readonly options: ChaosOptions,
    private readonly log: (line: string) => void,
  ) {}

  async run(): Promise<ChaosResult> {
    const { options, log } = this;
    const launchedAt = Date.now();
    this.redis = await startRedis(options.store);
    // A second device of a user is allowed only with sign-in tokens.
    const authSecret = options.multiDevice ? randomBytes(24).toString('hex') : undefined;
    const env: Record<string, string> = {
      HISTORY_STORE: options.store === 'memory' ? 'memory' : 'redis',
      ...(this.redis && { REDIS_URL: this.redis.url }),
      // With replicas, a send is answered once every replica has it: then no failover, not even one Sentinel
      // starts while the old primary still runs, promotes a server without it (docs/delivery.md).
      ...(this.redis && !(this.redis instanceof PrivateRedisServer) && { REDIS_MIN_REPLICAS: String(this.redis.replicasPerPrimary) }),
      ...(authSecret !== undefined && { AUTH_SECRET: authSecret }),
    };
    for (const [key, value] of Object.entries(SERVER_ENV_DEFAULTS)) env[key] = process.env[key] ?? value;
    // Held before it starts, so that Ctrl-C during the start stops it too.
    this.cluster = await PrivatePm2Cluster.create({ connectors: options.connectors, chats: options.chats, env });
    if (this.stopping) await this.cluster.stop();
    await this.cluster.launch();
    const upAt = Date.now();
    const rids = Array.from({ length: options.rooms }, (_, i) => roomName(i));
    this.faults = new FaultRunner(this.cluster, rids, this.redis instanceof PrivateRedisServer ? undefined : this.redis);
    await this.faults.notePids();
    log(`cluster up in ${((upAt - launchedAt) / 1000).toFixed(1)} s: pids ${this.startedPids().join(' ')}`);

    const timeline = new Timeline();
    // Tokens outlive the run, however long --every-kind makes it: none expires under the traffic.
    const ttlS = options.durationS * 3 + 3600;
    const tokens = new Map<string, Promise<string>>();
    const tokenOf = (username: string): Promise<string> => {
      if (!tokens.has(username))
        tokens.set(
          username,
          issueToken(authSecret!, username, ttlS).then((t) => t.token),
        );
      return tokens.get(username)!;
    };
    const layout = chaosLayout(options);
    const clients = layout.map(
      (c) =>
        new VerifyingClient(this.cluster!.gate, c.username, c.rids, {
          // A client keeps trying to come back as long as the run lasts; one that never does shows as loss.
          enterTimeoutMs: (options.durationS + 60) * 1000,
          onDeliver: (message) => timeline.delivered(sentAt(message.msg)),
          device: c.device,
          ...(authSecret !== undefined && { token: () => tokenOf(c.username) }),
        }),
    );
    this.clients.push(...clients);
    // One home room's connections after another, the homes at once.
    const homes = new Map<string, VerifyingClient[]>();
    for (const c of clients) homes.set(c.rid, [...(homes.get(c.rid) ?? []), c]);
    await Promise.all(
      [...homes.values()].map(async (group) => {
        for (const c of group) await c.enter();
      }),
    );
    const devices = new Set(clients.filter((c) => c.name !== c.username).map((c) => c.username)).size;
    this.connections = { count: clients.length, roomsEach: clients[0]?.rids.length ?? 0, usersOnTwoDevices: devices };
    log(
      `${clients.length} connections in ${rids.length} rooms, each in ${clients[0]?.rids.length ?? 0} rooms ` +
        `(${options.members} verifying members and a sender per home room; ${devices} users on two connections) ` +
        `after ${((Date.now() - upAt) / 1000).toFixed(1)} s more`,
    );

    // The run's clock (fault times, the plot) starts with the traffic.
    const startedAt = Date.now();
    timeline.begin(startedAt);
    this.faults.begin(startedAt);
    const senders = clients.filter((_, i) => layout[i]!.sender);
    const traffic = startTraffic(senders, (1000 * senders.length) / options.rate);
    let endAt = startedAt + options.durationS * 1000;
    const records: FaultRecord[] = [];
    const count = Math.ceil(options.durationS / (options.pauseS / 2)) + options.kinds.length;
    const schedule = drawSchedule(options.seed, options, { meanPauseMs: options.pauseS * 1000, count, kinds: options.kinds });
    const notYetRun = new Set(options.kinds);
    for (const fault of schedule) {
      const mustGoOn = options.everyKind === true && notYetRun.size > 0;
      if (this.stopping || (!mustGoOn && Date.now() + fault.pauseMs > endAt - QUIET_S * 1000)) break;
      await sleep(fault.pauseMs);
      const record = await this.faults.run(fault);
      records.push(record);
      notYetRun.delete(record.kind);
      log(describeFault(record));
    }
    // The last fault is over QUIET_S before the traffic stops, also when the run went on for every kind.
    endAt = Math.max(endAt, Date.now() + QUIET_S * 1000);
    await new Promise((r) => setTimeout(r, Math.max(0, endAt - Date.now())));
    const sends: SendRecord[] = await traffic.stop();
    for (const s of sends) timeline.answered(s.code, s.at, s.at + s.ms);
    log(`traffic stopped after ${((Date.now() - startedAt) / 1000).toFixed(1)} s; waiting for every member to catch up`);

    const settling = Date.now();
    const notBack = await this.settle(records, startedAt);
    log(`settled in ${((Date.now() - settling) / 1000).toFixed(1)} s`);
    const verdict = judge(this.clients, records, options.store, startedAt);
    await this.faults.notePids();
    const ms = (h: { quantile(q: number): number; maxMs: number }): { p50: number; p99: number; max: number } => ({
      p50: Number(h.quantile(0.5).toFixed(1)),
      p99: Number(h.quantile(0.99).toFixed(1)),
      max: Number(h.maxMs.toFixed(1)),
    });
    const reentryMs = this.clients.flatMap((c) => c.reentryMs);
    return {
      ...verdict,
      faults: records.map(({ startedAt: _s, endedAt: _e, upAt: _u, ...rest }, i) => ({
        ...rest,
        recoveredFalse: verdict.lostNoticesByFault[i]!,
      })),
      sends: sends.length,
      connections: this.connections,
      refusals: refusalsByCode(sends),
      longestNoAnswer: longestOutage(sends, startedAt),
      reentries: { count: reentryMs.length, ...quantiles(reentryMs) },
      entryFailures: countReasons(this.clients.flatMap((c) => c.failures)),
      notBack,
      latencyMs: ms(timeline.latency),
      answerMs: ms(timeline.answer),
      timeline: timeline.points(),
      startedPids: this.startedPids(),
    };
  }

  /**
   * Waits until every member has every message answered 200 but those the memory store lost by design
   * (or SETTLE_MS); returns the clients not back in their room.
   */
  private async settle(faults: FaultRecord[], startedAt: number): Promise<string[]> {
    const back = new Set<VerifyingClient>();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(
        this.clients.map((c) =>
          c.settled().then(
            () => back.add(c),
            () => undefined,
          ),
        ),
      ),
      new Promise((r) => (timer = setTimeout(r, SETTLE_MS))),
    ]);
    clearTimeout(timer);
    await waitForVerdict(this.clients, faults, this.options.store, startedAt, SETTLE_MS);
    return this.clients.filter((c) => !back.has(c)).map((c) => `${c.name}@${c.rids.join(',')}`);
  }

  /** Copies the servers' pm2 logs and Redis's logs into `dir`, for a run that failed: the verdict says what, they say why. */
  keepLogs(dir: string): void {
    mkdirSync(dir, { recursive: true });
    this.cluster?.copyLogs(dir);
    this.redis?.copyLogs(dir);
  }

  startedPids(): number[] {
    return [...(this.faults?.pids ?? []), ...(this.redis?.pids ?? [])];
  }

  /** Ends every client, the cluster (pm2 daemon and servers) and Redis; safe to call twice, and mid-run. */
  stop(): Promise<void> {
    this.stopped ??= this.end();
    return this.stopped;
  }

  private async end(): Promise<void> {
    this.stopping = true;
    for (const client of this.clients) client.close();
    this.faults?.thawAll();
    await this.faults?.notePids().catch(() => undefined);
    await this.cluster?.stop();
    await this.redis?.stop();
  }
}

/** The Redis a run on `store` needs, started: none, one server, Sentinel (with two replicas) or a Cluster (a replica per primary). */
function startRedis(store: Store): Promise<PrivateRedisServer | PrivateRedisSentinel | PrivateRedisCluster | undefined> {
  switch (store) {
    case 'memory':
      return Promise.resolve(undefined);
    case 'redis':
      return PrivateRedisServer.start();
    case 'sentinel':
      return PrivateRedisSentinel.start();
    case 'cluster':
      return PrivateRedisCluster.start({ replicas: 1 });
  }
}

/** Reasons counted, with their numbers (seqs, ports, names) made `#` so that alike ones add up. */
function countReasons(reasons: string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const r of reasons) {
    const key = r.replace(/\d+/g, '#').slice(0, 160);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

/** One line of the run's log for a fault: when, what, how long, and the pids it changed. */
function describeFault(record: FaultRecord): string {
  const pids =
    record.restarted?.map((r) => `${r.pid}->${r.newPid ?? '?'}`).join(' ') ??
    (record.pid !== undefined ? `pid ${record.pid}${record.newPid !== undefined ? ` -> ${record.newPid}` : ''}` : '');
  return (
    `${record.at.toFixed(1).padStart(6)} s  ${record.kind.padEnd(18)} ${record.target.padEnd(34)} ${String(record.tookMs).padStart(6)} ms  ${pids}` +
    (record.error ? `  FAILED: ${record.error}` : '')
  );
}
