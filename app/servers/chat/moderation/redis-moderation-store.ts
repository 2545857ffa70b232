import type { ModerationEntry, ModerationSnapshot } from '../../../protocol';
import { roomKey, type RedisConnection } from '../redis-connection';
import type { ModerationStore, Restriction } from './moderation-store';

type Stored = Omit<ModerationEntry, 'username'>;

/**
 * Bans and mutes in Redis, on the chat server's shared connection: one hash per room and kind
 * (`chat:room:{rid}:ban`, `...:mute`), user name -> `{ until, reason }`. An entry that has run out is
 * ignored and deleted when next read; the hash itself expires with its last entry.
 */
export class RedisModerationStore implements ModerationStore {
  readonly kind = 'redis';

  constructor(
    private readonly connection: RedisConnection,
    private readonly now: () => number = Date.now,
  ) {}

  async set(rid: string, restriction: Restriction, { username, ...stored }: ModerationEntry): Promise<void> {
    const key = this.key(rid, restriction);
    const value: Stored = stored;
    await this.connection.run(rid, () =>
      this.connection.redis
        .multi()
        .hset(key, username, JSON.stringify(value))
        // The hash lives as long as its longest entry: set an expiry if it has none, else only ever extend it.
        .pexpireat(key, stored.until, 'NX')
        .pexpireat(key, stored.until, 'GT')
        .exec(),
    );
  }

  async lift(rid: string, restriction: Restriction, username: string): Promise<boolean> {
    const inForce = (await this.get(rid, restriction, username)) !== undefined;
    await this.connection.run(rid, () => this.connection.redis.hdel(this.key(rid, restriction), username));
    return inForce;
  }

  async get(rid: string, restriction: Restriction, username: string): Promise<ModerationEntry | undefined> {
    const key = this.key(rid, restriction);
    const raw = await this.connection.run(rid, () => this.connection.redis.hget(key, username));
    if (raw === null) return undefined;
    const entry = this.parse(username, raw);
    if (entry && entry.until > this.now()) return entry;
    await this.connection.run(rid, () => this.connection.redis.hdel(key, username));
    return undefined;
  }

  async list(rid: string, restriction: Restriction): Promise<ModerationEntry[]> {
    const all = await this.connection.run(rid, () => this.connection.redis.hgetall(this.key(rid, restriction)));
    const now = this.now();
    return Object.entries(all).flatMap(([username, raw]) => {
      const entry = this.parse(username, raw);
      return entry && entry.until > now ? [entry] : [];
    });
  }

  /** Nothing to hand over: the next owner reads the same Redis. */
  release(): ModerationSnapshot | undefined {
    return undefined;
  }

  adopt(): void {}

  private key(rid: string, restriction: Restriction): string {
    return `${roomKey(rid)}:${restriction}`;
  }

  private parse(username: string, raw: string): ModerationEntry | undefined {
    try {
      const { until, reason } = JSON.parse(raw) as Stored;
      return typeof until === 'number' ? { username, until, ...(typeof reason === 'string' && { reason }) } : undefined;
    } catch {
      return undefined;
    }
  }
}
