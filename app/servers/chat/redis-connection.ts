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
 * and mutes. No command is queued while Redis is down: every call fails at once with 503 (a 503 never
 * turns into a write later), and ioredis reconnects by itself.
 */
export class RedisConnection {
  readonly redis: Redis;
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
    let up = false;
    this.redis.on('ready', () => {
      up = true;
      log.info({ redis: options.url }, 'room log store connected (redis)');
    });
    this.redis.on('error', (err: Error) => {
      if (!up) return;
      up = false;
      log.warn({ redis: options.url, err: err.message }, 'room log store unreachable (redis): rooms answer 503 until it is back');
    });
    this.redis.on('close', () => {
      if (up) log.warn({ redis: options.url }, 'room log store connection closed (redis)');
      up = false;
    });
  }

  /**
   * Runs a command once connected: a call waits for the connection at most the timeout (a chat server
   * starting, Redis coming back), and any failure to reach Redis is a 503 for that room.
   */
  async run<T>(rid: string, command: () => Promise<T>): Promise<T> {
    try {
      if (this.redis.status !== 'ready') await this.connected();
      return await command();
    } catch (err) {
      this.options.log.debug({ rid, err: (err as Error).message }, 'redis call failed');
      throw new AppError(Code.UNAVAILABLE, 'the message store is unavailable');
    }
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
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
