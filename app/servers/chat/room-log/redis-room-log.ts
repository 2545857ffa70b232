import type { Result } from 'ioredis';
import { RedisConnection, roomKey, type RedisClient, type RedisConnectionOptions } from '../redis-connection';
import type { ChatMessage, RoomLogSnapshot } from '../../../protocol';
import { APPEND, CLAIM, MARK_READ, READ } from './redis-scripts';
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

export type RedisRoomLogOptions = {
  capacity: number;
} & (
  | {
      /** The chat server's shared connection (closed by its owner, not by `close`). */
      connection: RedisConnection;
    }
  | RedisConnectionOptions
);

type StoredFields = Omit<ChatMessage, 'seq'>;

// The scripts as ioredis commands: EVALSHA, loading a script again after a Redis restart.
declare module 'ioredis' {
  interface RedisCommander<Context> {
    chatLogClaim(meta: string, log: string, dedupe: string, reads: string, epoch: string): Result<[string, number, number], Context>;
    chatLogAppend(
      meta: string,
      log: string,
      dedupe: string,
      reads: string,
      ...args: string[]
    ): Result<[string, string, number, number | string], Context>;
    chatMarkRead(reads: string, username: string, seq: string): Result<number, Context>;
    chatLogRead(meta: string, log: string, fromSeq: string, limit: string, capacity: string): Result<(string | number)[], Context>;
  }
}

/**
 * Room logs in Redis (ioredis), one stream per room with the seq as entry id: they outlive every chat
 * server, so a room's history and next seq survive a crash, a restart of the whole cluster and a move.
 * While Redis is unreachable, every call fails at once with 503; ioredis reconnects by itself.
 */
export class RedisRoomLog implements RoomLog {
  readonly kind = 'redis';
  private readonly connection: RedisConnection;
  private readonly redis: RedisClient;
  private readonly ownsConnection: boolean;

  constructor(private readonly options: RedisRoomLogOptions) {
    this.ownsConnection = !('connection' in options);
    this.connection = 'connection' in options ? options.connection : new RedisConnection(options);
    this.redis = this.connection.redis;
    this.redis.defineCommand('chatLogClaim', { numberOfKeys: 4, lua: CLAIM });
    this.redis.defineCommand('chatLogAppend', { numberOfKeys: 4, lua: APPEND });
    this.redis.defineCommand('chatMarkRead', { numberOfKeys: 1, lua: MARK_READ });
    this.redis.defineCommand('chatLogRead', { numberOfKeys: 2, lua: READ });
  }

  async claim(rid: string, _snapshot: RoomLogSnapshot | null = null, confirmedSeq = 0): Promise<LogClaim> {
    const [epoch, lastSeq, fence] = await this.run(rid, () => this.redis.chatLogClaim(...this.keys(rid), newEpoch()), true);
    // Below what the previous owner confirmed: the append script starts a new epoch after `confirmedSeq`.
    return { rid, fence, epoch, lastSeq: Math.max(lastSeq, confirmedSeq) };
  }

  async append(claim: LogClaim, draft: MessageDraft): Promise<AppendResult> {
    const { clientMsgId, ...fields } = draft;
    const key = dedupeKey(draft.from, clientMsgId) ?? '';
    const stored: StoredFields = fields;
    const args = [String(claim.fence), key, JSON.stringify(stored), String(this.options.capacity), newEpoch(), String(claim.lastSeq)];
    const [status, epoch, seq, extra] = await this.run(claim.rid, () => this.redis.chatLogAppend(...this.keys(claim.rid), ...args), true);
    if (status === 'lost') throw new LogClaimLost(claim.rid);
    if (status === 'dup') return { message: { ...(JSON.parse(extra as string) as StoredFields), seq }, duplicate: true, restarted: false };
    claim.epoch = epoch;
    claim.lastSeq = seq;
    return { message: { ...fields, seq }, duplicate: false, restarted: extra === 1 };
  }

  async read(rid: string, afterSeq: number, limit: number): Promise<LogRead> {
    const [meta, log] = this.keys(rid);
    const reply = await this.run(rid, () =>
      this.redis.chatLogRead(meta, log, String(afterSeq + 1), String(limit), String(this.options.capacity)),
    );
    const [epoch, lastSeq, firstSeq] = reply as [string, number, number];
    const messages: ChatMessage[] = [];
    for (let i = 3; i < reply.length; i += 2)
      messages.push({ ...(JSON.parse(reply[i + 1] as string) as StoredFields), seq: reply[i] as number });
    return { epoch, lastSeq, firstSeq, messages };
  }

  async markRead(rid: string, username: string, seq: number): Promise<number> {
    return this.run(rid, () => this.redis.chatMarkRead(this.keys(rid)[3], username, String(seq)));
  }

  async readMarker(rid: string, username: string): Promise<number> {
    const marker = await this.run(rid, () => this.redis.hget(this.keys(rid)[3], username));
    return marker === null ? 0 : Number(marker);
  }

  /** Nothing to hand over: the next owner reads the same Redis. */
  release(): RoomLogSnapshot | null {
    return null;
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  private keys(rid: string): [string, string, string, string] {
    const base = roomKey(rid);
    return [`${base}:meta`, `${base}:log`, `${base}:dedupe`, `${base}:reads`];
  }

  private run<T>(rid: string, command: () => Promise<T>, durable = false): Promise<T> {
    return this.connection.run(rid, command, durable);
  }
}
