import type { ModerationEntry, ModerationSnapshot } from '../../../protocol';

/** A ban keeps a user out of a room; a mute keeps them from sending in it. */
export type Restriction = 'ban' | 'mute';

/**
 * Bans and mutes per room, each until a time. They live where the room lives: in the chat server's
 * memory (handed over with the room when it moves) or in Redis (HISTORY_STORE=redis), next to the log.
 */
export interface ModerationStore {
  readonly kind: 'memory' | 'redis';
  set(rid: string, restriction: Restriction, entry: ModerationEntry): Promise<void>;
  /** Ends one early; false when there was none in force. */
  lift(rid: string, restriction: Restriction, username: string): Promise<boolean>;
  /** The entry in force for `username`, if any. */
  get(rid: string, restriction: Restriction, username: string): Promise<ModerationEntry | undefined>;
  /** Every entry in force in `rid`. */
  list(rid: string, restriction: Restriction): Promise<ModerationEntry[]>;
  /** The room leaves this server: what its next owner needs (memory), or undefined (a shared store, or none). */
  release(rid: string): ModerationSnapshot | undefined;
  /** The room arrives here with these entries (memory only). */
  adopt(rid: string, snapshot: ModerationSnapshot): void;
}

type RoomEntries = Record<Restriction, Map<string, ModerationEntry>>;

/** Bans and mutes in this chat server's memory: a crash of this server forgets them (as it does the room log). */
export class MemoryModerationStore implements ModerationStore {
  readonly kind = 'memory';
  private readonly rooms = new Map<string, RoomEntries>();

  constructor(private readonly now: () => number = Date.now) {}

  async set(rid: string, restriction: Restriction, entry: ModerationEntry): Promise<void> {
    let room = this.rooms.get(rid);
    if (!room) {
      room = { ban: new Map(), mute: new Map() };
      this.rooms.set(rid, room);
    }
    room[restriction].set(entry.username, entry);
  }

  async lift(rid: string, restriction: Restriction, username: string): Promise<boolean> {
    const inForce = (await this.get(rid, restriction, username)) !== undefined;
    this.rooms.get(rid)?.[restriction].delete(username);
    this.prune(rid);
    return inForce;
  }

  async get(rid: string, restriction: Restriction, username: string): Promise<ModerationEntry | undefined> {
    const entries = this.rooms.get(rid)?.[restriction];
    const entry = entries?.get(username);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry;
    entries!.delete(username);
    this.prune(rid);
    return undefined;
  }

  async list(rid: string, restriction: Restriction): Promise<ModerationEntry[]> {
    const entries = this.rooms.get(rid)?.[restriction];
    if (!entries) return [];
    const now = this.now();
    for (const [username, entry] of entries) if (entry.until <= now) entries.delete(username);
    this.prune(rid);
    return [...entries.values()];
  }

  release(rid: string): ModerationSnapshot | undefined {
    const room = this.rooms.get(rid);
    if (!room) return undefined;
    this.rooms.delete(rid);
    const now = this.now();
    const live = (m: Map<string, ModerationEntry>): ModerationEntry[] => [...m.values()].filter((e) => e.until > now);
    return { bans: live(room.ban), mutes: live(room.mute) };
  }

  adopt(rid: string, snapshot: ModerationSnapshot): void {
    for (const entry of snapshot.bans) void this.set(rid, 'ban', entry);
    for (const entry of snapshot.mutes) void this.set(rid, 'mute', entry);
  }

  /** Every room with a ban or mute here. */
  rids(): string[] {
    return [...this.rooms.keys()];
  }

  private prune(rid: string): void {
    const room = this.rooms.get(rid);
    if (room && room.ban.size === 0 && room.mute.size === 0) this.rooms.delete(rid);
  }
}
