import { Redis } from 'ioredis';
import { AppError, Code, type Logger } from '../../../game-server';

export interface RedisConnectionOptions {
  url: string;
  /** A command that takes longer fails (503) instead of holding the room. */
  timeoutMs: number;
  log: Logger;
}

/**
 * A chat server's one connection to Redis (ioredis), shared by what it keeps there: room logs, bans
 * and mutes. No command is queued while Redis is down: a call waits for the connection at most the
 * timeout, then fails with 503; ioredis reconnects by itself.
 */
export class RedisConnection {
  readonly redis: Redis;
  /** Calls made with `run`, and those that failed (each a 503): plain numbers, read by the metrics when scraped. */
  readonly calls = { total: 0, failed: 0 };
  /** Resolves at the next 'ready' while the connection is not (shared by every call that waits). */
  private nextReady?: Promise<void>;

  constructor(private readonly options: RedisConnectionOptions) {
    const { log } = options;
    this.redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
      retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    });
    // One line when Redis goes away (or cannot be reached at start) and one when it is back; none per retry.
    let state: 'starting' | 'up' | 'down' = 'starting';
    this.redis.on('ready', () => {
      state = 'up';
      log.info({ redis: options.url }, 'redis connected (room logs, bans and mutes)');
    });
    const down = (err?: Error): void => {
      if (state === 'down') return;
      state = 'down';
      log.warn({ redis: options.url, err: err?.message }, 'redis unreachable: its rooms answer 503 until it is back');
    };
    this.redis.on('error', down);
    this.redis.on('close', () => {
      if (state === 'up') down();
    });
  }

  /**
   * Runs a command once connected: a call waits for the connection at most the timeout (a chat server
   * starting, Redis coming back), and any failure to reach Redis is a 503 for that room.
   */
  async run<T>(rid: string, command: () => Promise<T>): Promise<T> {
    this.calls.total++;
    try {
      if (this.redis.status !== 'ready') await this.connected();
      return await command();
    } catch (err) {
      this.calls.failed++;
      this.options.log.debug({ rid, err: (err as Error).message }, 'redis call failed');
      throw new AppError(Code.UNAVAILABLE, 'the message store is unavailable');
    }
  }

  async close(): Promise<void> {
    const { status } = this.redis;
    if (status === 'end') return;
    // No socket open (between reconnection attempts): nothing will emit 'end'; disconnect() only stops the retries.
    if (status === 'reconnecting' || status === 'close') return this.redis.disconnect();
    const ended = new Promise((resolve) => this.redis.once('end', resolve));
    this.redis.disconnect();
    await ended;
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

/** The keys of one room start with this; the hash tag keeps them on one node of a Redis Cluster. */
export const roomKey = (rid: string): string => `chat:room:{${rid}}`;
