import type { ModerationEntry, ModerationSnapshot } from '../../../protocol';
import { roomKey, type RedisConnection } from '../redis-connection';
import type { ModerationStore, Restriction } from './moderation-store';

type Stored = Omit<ModerationEntry, 'username'>;

/** How long a room's bans or mutes read from Redis answer the checks before they are read again. */
export const MODERATION_CACHE_MS = 1000;
/** Past this many cached rooms, those read longer ago than MODERATION_CACHE_MS are dropped. */
const CACHE_PRUNE_AT = 10_000;

interface CachedEntries {
  readAt: number;
  entries: Promise<Map<string, ModerationEntry>>;
  /** The read has answered. */
  settled: boolean;
  /** A read to replace these entries is under way. */
  refreshing: boolean;
}

/**
 * Bans and mutes in Redis, on the chat server's shared connection: one hash per room and kind
 * (`chat:room:{rid}:ban`, `...:mute`), user name -> `{ until, reason }`. An entry that has run out is
 * ignored; the hash itself expires with its last entry.
 *
 * The checks (a mute on every send, a ban on every enter) read a room's whole hash about twice a
 * second while the room is in use, ahead of need, not once a call: a send costs no Redis round trip of
 * its own. A change made here shows at once; one made by another chat server (the room moved
 * meanwhile) within MODERATION_CACHE_MS.
 */
export class RedisModerationStore implements ModerationStore {
  readonly kind = 'redis';
  private readonly cache = new Map<string, CachedEntries>();

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
    this.cache.delete(key);
  }

  async lift(rid: string, restriction: Restriction, username: string): Promise<boolean> {
    const key = this.key(rid, restriction);
    const raw = await this.connection.run(rid, () => this.connection.redis.multi().hget(key, username).hdel(key, username).exec());
    this.cache.delete(key);
    const earlier = raw?.[0]?.[1];
    const entry = typeof earlier === 'string' ? this.parse(username, earlier) : undefined;
    return entry !== undefined && entry.until > this.now();
  }

  async get(rid: string, restriction: Restriction, username: string): Promise<ModerationEntry | undefined> {
    const entry = (await this.entries(rid, restriction)).get(username);
    return entry && entry.until > this.now() ? entry : undefined;
  }

  async list(rid: string, restriction: Restriction): Promise<ModerationEntry[]> {
    const now = this.now();
    return [...(await this.entries(rid, restriction)).values()].filter((entry) => entry.until > now);
  }

  /**
   * The room's whole hash of `restriction`, at most MODERATION_CACHE_MS old. Past half that age a check
   * still gets the cached entries and one read in the background replaces them: while a room is in use
   * its sends never wait for Redis (read on the send that found it a second old, it made that send and
   * every send of the room meanwhile wait for one more round trip).
   */
  private entries(rid: string, restriction: Restriction): Promise<Map<string, ModerationEntry>> {
    const key = this.key(rid, restriction);
    const now = this.now();
    const cached = this.cache.get(key);
    if (cached && now - cached.readAt < MODERATION_CACHE_MS) {
      if (now - cached.readAt >= MODERATION_CACHE_MS / 2 && cached.settled && !cached.refreshing) this.refresh(rid, key, cached);
      return cached.entries;
    }
    if (this.cache.size >= CACHE_PRUNE_AT) {
      for (const [k, c] of this.cache) if (now - c.readAt >= MODERATION_CACHE_MS) this.cache.delete(k);
    }
    const slot: CachedEntries = { readAt: now, entries: this.read(rid, key), settled: false, refreshing: false };
    this.cache.set(key, slot);
    slot.entries.then(
      () => (slot.settled = true),
      // A failed read is not kept: the next check asks Redis again.
      () => this.cache.get(key) === slot && this.cache.delete(key),
    );
    return slot.entries;
  }

  /** Replaces `cached` with a new read, unless a change made here replaced it first (that read may predate it). */
  private refresh(rid: string, key: string, cached: CachedEntries): void {
    cached.refreshing = true;
    const readAt = this.now();
    this.read(rid, key).then(
      (entries) => {
        if (this.cache.get(key) === cached)
          this.cache.set(key, { readAt, entries: Promise.resolve(entries), settled: true, refreshing: false });
      },
      () => (cached.refreshing = false),
    );
  }

  private async read(rid: string, key: string): Promise<Map<string, ModerationEntry>> {
    const all = await this.connection.run(rid, () => this.connection.redis.hgetall(key));
    const parsed = new Map<string, ModerationEntry>();
    for (const [username, raw] of Object.entries(all)) {
      const entry = this.parse(username, raw);
      if (entry) parsed.set(username, entry);
    }
    return parsed;
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
