import { Redis, type Result } from 'ioredis';
import { AppError, Code, type Logger } from '../../../../game-server';
import type { ChatMessage, RoomLogSnapshot } from '../../../protocol';
import { APPEND, CLAIM, READ } from './redis-scripts';
import {
  dedupeKey,
  LogClaimLost,
  newEpoch,
  type AppendResult,
  type LogClaim,
  type LogRead,
  type MessageDraft,
  type RoomLog,
} from './room-log';

export interface RedisRoomLogOptions {
  url: string;
  capacity: number;
  /** A command that takes longer fails (503) instead of holding the room. */
  timeoutMs: number;
  log: Logger;
}

type StoredFields = Omit<ChatMessage, 'seq'>;

// The scripts as ioredis commands: EVALSHA, loading a script again after a Redis restart.
declare module 'ioredis' {
  interface RedisCommander<Context> {
    chatLogClaim(meta: string, log: string, dedupe: string, epoch: string): Result<[string, number, number], Context>;
    chatLogAppend(meta: string, log: string, dedupe: string, ...args: string[]): Result<[string, string, number, number | string], Context>;
    chatLogRead(meta: string, log: string, fromSeq: string, limit: string): Result<(string | number)[], Context>;
  }
}

/**
 * Room logs in Redis (ioredis), one stream per room with the seq as entry id: they outlive every chat
 * server, so a room's history and next seq survive a crash, a restart of the whole cluster and a move.
 * While Redis is unreachable, every call fails at once with 503; ioredis reconnects by itself.
 */
export class RedisRoomLog implements RoomLog {
  readonly kind = 'redis';
  private readonly redis: Redis;
  /** Resolves at the next 'ready' while the connection is not (shared by every call that waits). */
  private nextReady?: Promise<void>;

  constructor(private readonly options: RedisRoomLogOptions) {
    const { log } = options;
    this.redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
      retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    });
    this.redis.defineCommand('chatLogClaim', { numberOfKeys: 3, lua: CLAIM });
    this.redis.defineCommand('chatLogAppend', { numberOfKeys: 3, lua: APPEND });
    this.redis.defineCommand('chatLogRead', { numberOfKeys: 2, lua: READ });
    // One line when the store goes away (or cannot be reached at start) and one when it is back; none per retry.
    let state: 'starting' | 'up' | 'down' = 'starting';
    this.redis.on('ready', () => {
      state = 'up';
      log.info({ redis: options.url }, 'room log store connected (redis)');
    });
    const down = (err?: Error): void => {
      if (state === 'down') return;
      state = 'down';
      log.warn({ redis: options.url, err: err?.message }, 'room log store unreachable (redis): its rooms answer 503 until it is back');
    };
    this.redis.on('error', down);
    this.redis.on('close', () => {
      if (state === 'up') down();
    });
  }

  async claim(rid: string): Promise<LogClaim> {
    const [epoch, lastSeq, fence] = await this.run(rid, () => this.redis.chatLogClaim(...this.keys(rid), newEpoch()));
    return { rid, fence, epoch, lastSeq };
  }

  async append(claim: LogClaim, draft: MessageDraft): Promise<AppendResult> {
    const { clientMsgId, ...fields } = draft;
    const key = dedupeKey(draft.from, clientMsgId) ?? '';
    const stored: StoredFields = fields;
    const args = [String(claim.fence), key, JSON.stringify(stored), String(this.options.capacity), newEpoch()];
    const [status, epoch, seq, extra] = await this.run(claim.rid, () => this.redis.chatLogAppend(...this.keys(claim.rid), ...args));
    if (status === 'lost') throw new LogClaimLost(claim.rid);
    if (status === 'dup') return { message: { ...(JSON.parse(extra as string) as StoredFields), seq }, duplicate: true, restarted: false };
    claim.epoch = epoch;
    claim.lastSeq = seq;
    return { message: { ...fields, seq }, duplicate: false, restarted: extra === 1 };
  }

  async read(rid: string, afterSeq: number, limit: number): Promise<LogRead> {
    const [meta, log] = this.keys(rid);
    const reply = await this.run(rid, () => this.redis.chatLogRead(meta, log, String(afterSeq + 1), String(limit)));
    const [epoch, lastSeq, firstSeq] = reply as [string, number, number];
    const messages: ChatMessage[] = [];
    for (let i = 3; i < reply.length; i += 2)
      messages.push({ ...(JSON.parse(reply[i + 1] as string) as StoredFields), seq: reply[i] as number });
    return { epoch, lastSeq, firstSeq, messages };
  }

  /** Nothing to hand over: the next owner reads the same Redis. */
  release(): RoomLogSnapshot | null {
    return null;
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

  private keys(rid: string): [string, string, string] {
    // The hash tag keeps a room's keys on one node of a Redis Cluster.
    const base = `chat:room:{${rid}}`;
    return [`${base}:meta`, `${base}:log`, `${base}:dedupe`];
  }

  /**
   * Runs a command once connected: a call waits for the connection at most the timeout (a chat server
   * starting, Redis coming back), and any failure to reach Redis is a 503 for that room. No command
   * is queued while Redis is down: a 503 never turns into an append later.
   */
  private async run<T>(rid: string, command: () => Promise<T>): Promise<T> {
    try {
      if (this.redis.status !== 'ready') await this.connected();
      return await command();
    } catch (err) {
      this.options.log.debug({ rid, err: (err as Error).message }, 'room log call failed');
      throw new AppError(Code.UNAVAILABLE, 'the message store is unavailable');
    }
  }
}
