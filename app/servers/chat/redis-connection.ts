import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { AppError, Code, TurnCorks, type Logger } from '../../../game-server';
import { parseRedisUrl, redactedRedisUrl, type RedisTarget } from './redis-url';

/** How long after ioredis gave up a connection this one starts it again. */
const RECONNECT_AFTER_END_MS = 200;

export interface RedisConnectionOptions {
  /** REDIS_URL: one server, Sentinels, or a Redis Cluster (see redis-url.ts). */
  url: string;
  /** A command that takes longer fails (503) instead of holding the room. */
  timeoutMs: number;
  log: Logger;
  /** With Sentinel or Cluster, a write counts once this many replicas have it (WAIT); 0 or absent: once the primary has it. */
  minReplicas?: number;
  /** How long WAIT waits for those replicas. */
  waitMs?: number;
}

/** ioredis's client for one server (or a Sentinel-named primary), or for a Redis Cluster: the same commands. */
export type RedisClient = Redis | Cluster;

/**
 * A chat server's one connection to Redis (ioredis), shared by what it keeps there: room logs, bans
 * and mutes. No command is queued while Redis is down: a call waits for the connection at most the
 * timeout, then fails with 503; ioredis reconnects by itself, and with Sentinel finds the new primary.
 */
export class RedisConnection {
  readonly redis: RedisClient;
  readonly target: RedisTarget;
  /** Calls made with `run`, and those that failed (each a 503): plain numbers, read by the metrics when scraped. */
  readonly calls = { total: 0, failed: 0 };
  /** Resolves at the next 'ready' while the connection is not (shared by every call that waits). */
  private nextReady?: Promise<void>;
  /** Per primary, the WAIT that covers every write sent to it in this tick (one per tick, however many rooms wrote). */
  private readonly pendingWaits = new Map<Redis, Promise<number>>();
  private readonly minReplicas: number;
  /** Whether the last WAIT fell short, for one log line when that starts and one when it ends. */
  private unconfirmed = false;
  /** Where this connection goes, for its log lines (any password hidden). */
  private readonly where: { redis: string };
  /** Holds this turn's commands in the socket (see `corkThisTurn`). */
  private readonly corks = new TurnCorks();
  /** When Redis last answered a command, and when this connection last reconnected for its silence. */
  private lastAnswerAt = Date.now();
  private lastSilenceReconnectAt = 0;
  /** Set by `close`: the one end of this connection that is not followed by a new one. */
  private closing = false;

  constructor(private readonly options: RedisConnectionOptions) {
    const { log } = options;
    this.target = parseRedisUrl(options.url);
    this.redis = createClient(this.target, options.timeoutMs);
    // A lone server has no replica to wait for.
    this.minReplicas = this.target.kind === 'standalone' ? 0 : (options.minReplicas ?? 0);
    const where = (this.where = { redis: redactedRedisUrl(options.url) });
    // One line when Redis goes away (or cannot be reached at start) and one when it is back; none per retry.
    let state: 'starting' | 'up' | 'down' = 'starting';
    this.redis.on('ready', () => {
      state = 'up';
      // With Sentinel, which server is primary now: after a failover, the operator sees the move.
      const stream = this.target.kind === 'sentinel' ? (this.redis as Redis).stream : undefined;
      const primary = stream ? { primary: `${stream.remoteAddress}:${stream.remotePort}` } : {};
      log.info({ ...where, ...primary }, 'redis connected (room logs, bans and mutes)');
    });
    const down = (err?: Error): void => {
      if (state === 'down') return;
      state = 'down';
      log.warn({ ...where, err: err?.message }, 'redis unreachable: its rooms answer 503 until it is back');
    };
    this.redis.on('error', down);
    this.redis.on('close', () => {
      if (state === 'up') down();
    });
    // ioredis stops for good ('end') when told to disconnect while it asks the Sentinels for the primary: a
    // failover announced (+switch-master) during a reconnection does that, and so can reconnectIfSilent.
    // Only `close` ends this connection; after anything else, connect again.
    this.redis.on('end', () => {
      if (this.closing) return;
      log.warn(where, 'redis client stopped reconnecting: connecting again');
      setTimeout(() => {
        if (!this.closing && this.redis.status === 'end') this.redis.connect().catch(() => undefined);
      }, RECONNECT_AFTER_END_MS).unref();
    });
  }

  /**
   * Runs a command once connected: a call waits for the connection at most the timeout (a chat server
   * starting, Redis coming back), and any failure to reach Redis is a 503 for that room. A `durable`
   * write also waits, with Sentinel or Cluster, until REDIS_MIN_REPLICAS replicas have it: else 503 too, and the
   * client's retry (same clientMsgId) finds it or writes it again.
   */
  async run<T>(rid: string, command: () => Promise<T>, durable = false): Promise<T> {
    this.calls.total++;
    try {
      if (this.redis.status !== 'ready') await this.connected();
      // Found before the command is sent: a Cluster in the middle of a failover may know no primary for the
      // slot, and a command sent without its WAIT would be left with nobody awaiting its failure (a crash).
      const primary = durable && this.minReplicas > 0 ? this.primaryOf(rid) : undefined;
      this.corkThisTurn();
      const reply = command();
      // Sent after the command on the same connection, so the replicas' acknowledgement covers it.
      const acked = primary && this.replicasAck(primary);
      // When the command fails, its error is the one reported; the WAIT's must not go unhandled.
      acked?.catch(() => undefined);
      const result = await reply;
      this.lastAnswerAt = Date.now();
      if (acked) this.noteConfirmed((await acked) >= this.minReplicas);
      return result;
    } catch (err) {
      this.calls.failed++;
      this.reconnectIfSilent(err as Error);
      this.options.log.debug({ rid, err: (err as Error).message }, 'redis call failed');
      throw new AppError(Code.UNAVAILABLE, 'the message store is unavailable');
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    const { status } = this.redis;
    if (status === 'end') return;
    // No socket open (between reconnection attempts): nothing will emit 'end'; disconnect() only stops the retries.
    if (status === 'reconnecting' || status === 'close') return this.redis.disconnect();
    const ended = new Promise((resolve) => this.redis.once('end', resolve));
    this.redis.disconnect();
    await ended;
  }

  /**
   * A server that stops answering without closing the connection (frozen, or cut off without a reset)
   * never makes ioredis reconnect: its commands only time out. After two timeouts of silence, reconnect;
   * with Sentinel that asks the Sentinels for the primary again, which also recovers from a failover whose
   * announcement this connection missed (ioredis subscribes to it only after connecting).
   */
  private reconnectIfSilent(err: Error): void {
    if (err.message !== 'Command timed out') return;
    const now = Date.now();
    const patience = 2 * this.options.timeoutMs;
    if (now - this.lastAnswerAt < patience || now - this.lastSilenceReconnectAt < patience) return;
    this.lastSilenceReconnectAt = now;
    this.options.log.warn({ ...this.where, silentMs: now - this.lastAnswerAt }, 'redis stopped answering: reconnecting');
    this.redis.disconnect(true);
  }

  /**
   * Holds the commands of this turn of the event loop in the socket and hands them to the kernel in one
   * write at its end (a batch of forwarded sends is a batch of appends, for many rooms). ioredis writes
   * each command on its own; its auto-pipelining batches too, but costs more CPU per command than it saves
   * (bench/micro/redis-append-cpu.js). A Cluster spreads a turn's commands over several node
   * connections: left as ioredis writes them.
   */
  private corkThisTurn(): void {
    if (!(this.redis instanceof Redis)) return;
    const { stream } = this.redis;
    if (stream && !stream.destroyed) this.corks.hold(stream);
  }

  /** How many replicas acknowledged every write sent to `primary` before it: one WAIT for all the writes of a tick. */
  private replicasAck(primary: Redis): Promise<number> {
    let pending = this.pendingWaits.get(primary);
    if (!pending) {
      pending = new Promise<number>((resolve, reject) => {
        process.nextTick(() => {
          this.pendingWaits.delete(primary);
          primary.wait(this.minReplicas, this.options.waitMs ?? 100).then(resolve, reject);
        });
      });
      this.pendingWaits.set(primary, pending);
    }
    return pending;
  }

  /** The connection that carries `rid`'s commands: the one server, or the Cluster primary of the room's slot. */
  private primaryOf(rid: string): Redis {
    if (this.redis instanceof Redis) return this.redis;
    const key = this.redis.slots[calculateSlot(roomKey(rid))]?.[0];
    const primary = this.redis.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === key);
    if (!primary) throw new Error(`no primary known for room ${rid}'s slot`);
    return primary;
  }

  /** Throws (503) when too few replicas confirmed a write; logs when that starts and when it ends. */
  private noteConfirmed(confirmed: boolean): void {
    if (confirmed === this.unconfirmed) {
      this.unconfirmed = !confirmed;
      const where = { ...this.where, minReplicas: this.minReplicas };
      if (confirmed) this.options.log.info(where, 'redis replicas confirm writes again');
      else this.options.log.warn(where, 'redis replicas do not confirm writes (REDIS_MIN_REPLICAS): sends answer 503 until they do');
    }
    if (!confirmed) throw new Error('too few replicas confirmed the write');
  }

  private async connected(): Promise<void> {
    this.nextReady ??= new Promise<void>((resolve) =>
      this.redis.once('ready', () => {
        this.nextReady = undefined;
        resolve();
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('not connected')), this.options.timeoutMs);
    });
    try {
      await Promise.race([this.nextReady, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function createClient(target: RedisTarget, timeoutMs: number): RedisClient {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
  };
  switch (target.kind) {
    case 'standalone':
      return new Redis(target.url, options);
    case 'sentinel':
      return new Redis({
        ...options,
        sentinels: target.sentinels,
        name: target.name,
        ...(target.password && { password: target.password, sentinelPassword: target.password }),
        sentinelRetryStrategy: (attempt) => Math.min(100 * attempt, 1000),
        // ioredis asks the Sentinels in turn, and waits for each answer without end unless told: a Sentinel
        // that accepts connections and never answers (frozen, or cut off without a reset) would keep this
        // connection from ever finding the primary.
        sentinelCommandTimeout: timeoutMs,
        // Reconnect at once when the Sentinels announce a new primary, not at the next failed command.
        failoverDetector: true,
        // A primary demoted under us answers READONLY: find the new one.
        reconnectOnError: (err) => err.message.startsWith('READONLY'),
      });
    case 'cluster':
      return new Cluster(target.nodes, {
        enableOfflineQueue: false,
        redisOptions: { ...options, ...(target.password && { password: target.password }) },
        clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 1000),
        slotsRefreshTimeout: timeoutMs,
      });
  }
}

/** The keys of one room start with this; the hash tag keeps them on one node of a Redis Cluster. */
export const roomKey = (rid: string): string => `chat:room:{${rid}}`;
