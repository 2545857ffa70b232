/**
 * One soak run: a private cluster whose servers run with `--expose-gc`, a warm-up of the whole traffic
 * mix (so that every internal link is open), an idle spell (the level of fds and handles), the load for
 * the rest of `durationS`, then idle again until every server is back at its level. A sampler asks every server
 * once a second throughout. `stop()` ends everything it started, whenever called.
 */
import { randomBytes } from 'node:crypto';
import { loadRuntimeSettings } from '../../game-server/settings';
import { PrivatePm2Cluster } from '../../game-server/cli/private-pm2-cluster';
import { PrivateRedisServer } from '../../game-server/cli/private-redis-server';
import { sleep } from '../../game-server/sleep';
import { chaosLayout, roomName } from '../chaos/layout';
import { startTraffic, type SendRecord } from '../chaos/traffic';
import { judge, refusalsByCode, waitForVerdict, type Store, type Verdict } from '../chaos/verdict';
import { VerifyingClient } from '../chaos/verifying-client';
import { startKicks } from './kicks';
import { Sampler, type ServerSample } from './sampler';
import { startSlowReaders } from './slow-reader';
import { Tally } from './tally';
import { backToLevel, judgeSoak, type SoakLimits, type SoakVerdict } from './verdict';
import { startVisitors } from './visitors';

export interface SoakOptions {
  /** How long the run drives traffic and samples, s: the warm-up and the idle level before the load included. */
  durationS: number;
  store: Store;
  connectors: number;
  chats: number;
  /** Verified rooms, with `members` verifying members and one sender each; every connection follows two rooms. */
  rooms: number;
  members: number;
  /** Messages a second over all verified rooms. */
  rate: number;
  /** Visitors coming and going at once, and the pause between one visitor's cycles. */
  visitors: number;
  visitorPauseMs: number;
  /** A kick through the server API every this many seconds. */
  kickEveryS: number;
  /** The slow reader's room: messages of this many characters, this many a second. */
  slowMessageChars: number;
  slowRate: number;
  /** The warm-up before the idle spell, s. */
  warmUpS: number;
  /** How long the run waits after the load for every server to be back at its level, s. */
  settleS: number;
  limits: SoakLimits;
}

export interface SoakResult {
  servers: string[];
  verdict: SoakVerdict;
  loss: Omit<Verdict, 'lostNoticesByFault' | 'lossRule'>;
  lossRule: string;
  sends: number;
  refusals: Record<string, number>;
  /** Everything else the clients did, by operation and outcome. */
  operations: Record<string, number>;
  /** Seconds (sampler's clock) when each phase began. */
  phases: Record<string, number>;
  /** Rounds in which a server gave no sample, by server and reason. */
  missedSamples: Record<string, number>;
  samples: ServerSample[];
  startedPids: number[];
}

const MiB = 1024 * 1024;
/**
 * Server settings for the run (an environment variable of the same name wins): a buffer bound and a
 * message size at which the slow reader is dropped within seconds, not minutes.
 */
const SERVER_ENV_DEFAULTS: Record<string, string> = {
  LOG_LEVEL: 'warn',
  CLIENT_MAX_BUFFERED_BYTES: String(MiB / 4),
  MESSAGE_MAX_LENGTH: '16000',
};
/** Idle rounds before the load that make the level, and after it that must be at the level. */
const IDLE_ROUNDS = 3;
const SETTLE_MS = 20_000;

interface Load {
  clients: VerifyingClient[];
  stop(): Promise<SendRecord[]>;
}

export class SoakRun {
  private cluster?: PrivatePm2Cluster;
  private redis?: PrivateRedisServer;
  private sampler?: Sampler;
  private readonly clients: VerifyingClient[] = [];
  private readonly pids = new Set<number>();
  private readonly tally = new Tally();
  private stopping = false;
  private stopped?: Promise<void>;

  constructor(
    private readonly options: SoakOptions,
    private readonly log: (line: string) => void,
  ) {}

  async run(): Promise<SoakResult> {
    const { options, log } = this;
    const launchedAt = Date.now();
    this.redis = options.store === 'redis' ? await PrivateRedisServer.start() : undefined;
    const apiKey = randomBytes(16).toString('hex');
    const env: Record<string, string> = {
      HISTORY_STORE: options.store,
      API_KEY: apiKey,
      // Heap after GC: the sampler's status question collects first (see StatusQuery.gc).
      CLUSTER_NODE_ARGS: [process.env.CLUSTER_NODE_ARGS ?? '', '--expose-gc'].join(' ').trim(),
      ...(this.redis && { REDIS_URL: this.redis.url }),
    };
    for (const [key, value] of Object.entries(SERVER_ENV_DEFAULTS)) env[key] = process.env[key] ?? value;
    this.cluster = await PrivatePm2Cluster.create({ connectors: options.connectors, chats: options.chats, env });
    if (this.stopping) await this.cluster.stop();
    await this.cluster.launch();
    const cluster = this.cluster;
    for (const p of await cluster.list()) if (p.pid) this.pids.add(p.pid);
    log(`cluster up in ${((Date.now() - launchedAt) / 1000).toFixed(1)} s: pids ${[...this.pids].join(' ')}`);

    const { RPC_SECRET: secret, rpcTls: tls } = loadRuntimeSettings(cluster.env);
    const sampler = (this.sampler = new Sampler(() => cluster.servers, { secret, tls, name: 'soak' }));
    sampler.start();
    const phases: Record<string, number> = { 'warm-up': sampler.now() };

    // Warm-up: the whole mix once, so that every link between servers is open before the level is taken.
    const endAt = Date.now() + options.durationS * 1000;
    const warmUp = await this.startLoad(apiKey, 'w');
    await sleep(options.warmUpS * 1000);
    await warmUp.stop();
    for (const c of warmUp.clients) c.close();
    await this.untilIdle(sampler);
    sampler.phase = 'idle-before';
    phases['idle-before'] = sampler.now();
    for (let i = 0; i < IDLE_ROUNDS; i++) await sampler.nextRound();

    sampler.phase = 'load';
    phases.load = sampler.now();
    const load = await this.startLoad(apiKey, 'l');
    const trafficAt = Date.now();
    log(`load: ${load.clients.length} verifying connections in ${options.rooms} rooms, ${options.visitors} visitors, kicks, a slow reader`);
    await this.sleepUnlessStopped(endAt - Date.now());
    const sends = await load.stop();
    log(`load stopped after ${((Date.now() - trafficAt) / 1000).toFixed(1)} s; waiting for every member to catch up`);
    await waitForVerdict(load.clients, [], options.store, trafficAt, SETTLE_MS);
    const loss = judge(load.clients, [], options.store, trafficAt);
    for (const c of load.clients) c.close();

    sampler.phase = 'idle-after';
    phases['idle-after'] = sampler.now();
    const settledIn = await this.untilLevel(sampler);
    log(settledIn === undefined ? `not back at the level after ${options.settleS} s` : `back at the level in ${settledIn.toFixed(1)} s`);
    await sampler.stop();
    for (const p of await cluster.list().catch(() => [])) if (p.pid) this.pids.add(p.pid);

    const servers = cluster.servers.map((s) => s.id);
    const operations = this.tally.toJSON();
    const verdict = judgeSoak(servers, sampler.samples, loss, options.limits);
    const notDropped = operations['slow not dropped'] ?? 0;
    if (notDropped > 0) verdict.failures.push(`${notDropped} slow readers were not dropped within 45 s`);
    if (!operations['slow dropped']) verdict.failures.push('no slow reader was dropped: the slow-reader check did not run');
    if ((operations['onKick missing'] ?? 0) > 0) verdict.failures.push(`${operations['onKick missing']} kicks were not told to the user`);
    if (!operations['onKick received']) verdict.failures.push('no kick was done: the kick check did not run');
    verdict.passed = verdict.failures.length === 0;
    const { lostNoticesByFault: _f, lossRule, ...lossFigures } = loss;
    return {
      servers,
      verdict,
      loss: lossFigures,
      lossRule,
      sends: sends.length,
      refusals: refusalsByCode(sends),
      operations,
      phases,
      missedSamples: Object.fromEntries(sampler.misses),
      samples: sampler.samples,
      startedPids: this.startedPids(),
    };
  }

  /** Verifying clients entered and sending, visitors, kicks and a slow reader; `stop` ends them all. */
  private async startLoad(apiKey: string, prefix: string): Promise<Load> {
    const { options } = this;
    const cluster = this.cluster!;
    const layout = chaosLayout({ rooms: options.rooms, members: options.members, roomsPerConnection: 2, multiDevice: false });
    const clients = layout.map((c) => new VerifyingClient(cluster.gate, `${prefix}-${c.username}`, c.rids));
    this.clients.push(...clients);
    await Promise.all(clients.map((c) => c.enter()));
    const senders = clients.filter((_, i) => layout[i]!.sender);
    const traffic = startTraffic(senders, (1000 * senders.length) / options.rate);
    const rids = Array.from({ length: options.rooms }, (_, i) => roomName(i));
    const visitors = startVisitors(
      { gate: cluster.gate, visitors: options.visitors, busyRooms: rids, pauseMs: options.visitorPauseMs },
      this.tally,
    );
    const kicks = startKicks({ gate: cluster.gate, webUrl: cluster.webUrl, apiKey, periodMs: options.kickEveryS * 1000 }, this.tally);
    const slow = startSlowReaders({ gate: cluster.gate, messageChars: options.slowMessageChars, rate: options.slowRate }, this.tally);
    return {
      clients,
      async stop() {
        const [records] = await Promise.all([traffic.stop(), visitors.stop(), kicks.stop(), slow.stop()]);
        return records;
      },
    };
  }

  /** Waits until no frontend reports an open client socket (the warm-up's clients are gone). */
  private async untilIdle(sampler: Sampler): Promise<void> {
    const deadline = Date.now() + this.options.settleS * 1000;
    while (Date.now() < deadline && !this.stopping) {
      const round = await sampler.nextRound();
      if (round.every((s) => !s.connections)) return;
    }
  }

  /** Waits for IDLE_ROUNDS rounds in a row at the level; returns how long it took (s), or undefined. */
  private async untilLevel(sampler: Sampler): Promise<number | undefined> {
    const started = Date.now();
    const deadline = started + this.options.settleS * 1000;
    let inARow = 0;
    while (Date.now() < deadline && !this.stopping) {
      const round = await sampler.nextRound();
      inARow = backToLevel(sampler.samples, round, this.options.limits.levelSlack) ? inARow + 1 : 0;
      if (inARow >= IDLE_ROUNDS) return (Date.now() - started) / 1000;
    }
    return undefined;
  }

  private async sleepUnlessStopped(ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!this.stopping && Date.now() < end) await sleep(Math.min(500, end - Date.now()));
  }

  startedPids(): number[] {
    return [...this.pids, ...(this.redis?.pid !== undefined ? [this.redis.pid] : [])];
  }

  /** Ends every client, the sampler, the cluster (pm2 daemon and servers) and Redis; safe to call twice, and mid-run. */
  stop(): Promise<void> {
    this.stopped ??= this.end();
    return this.stopped;
  }

  private async end(): Promise<void> {
    this.stopping = true;
    for (const client of this.clients) client.close();
    await this.sampler?.stop();
    await this.cluster?.stop();
    await this.redis?.stop();
  }
}
