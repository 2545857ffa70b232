import type { Application } from '../../../game-server';
import { Push, usernameOf, type RoomState, type UserEvent } from '../../protocol';
import type { Typing } from './typing';
import { Room } from './room';
import type { ModerationStore } from './moderation/moderation-store';
import type { RoomLog } from './room-log/room-log';

/**
 * How long the memory log of a room that emptied is kept: its members may be on their way back (a
 * connector restarting), and must find their history and epoch, not a new log.
 */
const EMPTY_ROOM_LOG_KEPT_MS = 30_000;

/** Who hears of members coming and going: PRESENCE_MAX_MEMBERS, and who is typing. */
export interface RoomPresence {
  /** Rooms past this many members send no onAdd/onLeave. */
  maxMembers: number;
  typing?: Typing;
}

/** The rooms this chat server holds, by rid. An empty room is dropped (its log too, a while later, when that lives in memory). */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly creating = new Map<string, Promise<Room>>();
  /** Messages published in the rooms of this server since it started (the admin page's messages/s). */
  published = 0;

  constructor(
    private readonly app: Pick<Application, 'channels'>,
    readonly log: RoomLog,
    private readonly moderation: ModerationStore,
    private readonly presence: RoomPresence = { maxMembers: Infinity },
  ) {}

  get(rid: string): Room | undefined {
    return this.rooms.get(rid);
  }

  /** Creates `rid` here, empty or from the state of a room that moved here, claiming its log. */
  create(rid: string, state?: RoomState): Promise<Room> {
    const existing = this.rooms.get(rid);
    if (existing) return Promise.resolve(existing);
    let pending = this.creating.get(rid);
    if (!pending) {
      pending = this.claim(rid, state).finally(() => this.creating.delete(rid));
      this.creating.set(rid, pending);
    }
    return pending;
  }

  private async claim(rid: string, state?: RoomState): Promise<Room> {
    const claim = await this.log.claim(rid, state?.log ?? null, state?.lastSeq);
    if (state?.moderation) this.moderation.adopt(rid, state.moderation);
    const room = new Room(rid, this.app.channels.getOrCreateChannel(rid), this.log, claim, state?.lastId, () => this.published++);
    for (const [uid, frontendId] of state?.members ?? []) room.channel.add(uid, frontendId);
    this.rooms.set(rid, room);
    return room;
  }

  /** Removes `rid` and returns its state for its new owner, once the appends under way have finished. */
  async take(rid: string): Promise<RoomState | null> {
    const room = this.rooms.get(rid);
    if (!room) {
      // Emptied a moment ago (or read back from the rooms file): only its log and bans, if kept here, go.
      if (this.creating.has(rid)) return null;
      const log = this.log.release(rid);
      const moderation = this.moderation.release(rid);
      return log || moderation ? { rid, lastId: 0, members: [], log, ...(moderation && { moderation }) } : null;
    }
    this.rooms.delete(rid);
    this.app.channels.destroyChannel(rid);
    await room.idle();
    const moderation = this.moderation.release(rid);
    return {
      rid,
      lastId: room.currentLastId,
      lastSeq: room.head().seq,
      members: [...room.channel.uids()].map((uid) => [uid, room.channel.frontendOf(uid)!]),
      log: this.log.release(rid),
      ...(moderation && { moderation }),
    };
  }

  /** Forgets a room whose log another chat server claimed (it moved while this one still held it). */
  forget(room: Room): void {
    if (this.rooms.get(room.rid) !== room) return;
    this.rooms.delete(room.rid);
    this.app.channels.destroyChannel(room.rid);
  }

  /** `uid` leaves `room`; the others are told (in a room small enough for presence), and an empty room goes. */
  leave(room: Room, uid: string): void {
    const wasSize = room.channel.size;
    if (!room.channel.leave(uid)) return;
    const user = usernameOf(uid);
    this.presence.typing?.stopped(room, user);
    if (wasSize <= this.presence.maxMembers) {
      const event: UserEvent = { user, rid: room.rid };
      room.channel.pushMessage(Push.leave, event);
    }
    this.removeIfEmpty(room);
  }

  /** Every member on connector `frontendId` leaves (that connector is gone); returns how many. */
  leaveAll(frontendId: string, except: ReadonlySet<string> = new Set()): number {
    let left = 0;
    for (const room of [...this.rooms.values()]) {
      for (const uid of [...room.channel.uids()]) {
        if (room.channel.frontendOf(uid) !== frontendId || except.has(uid)) continue;
        this.leave(room, uid);
        left++;
      }
    }
    return left;
  }

  removeIfEmpty(room: Room): void {
    if (room.channel.size > 0 || this.rooms.get(room.rid) !== room) return;
    this.rooms.delete(room.rid);
    this.app.channels.destroyChannel(room.rid);
    this.releaseLogLater(room.rid);
  }

  /** Drops the log of `rid` in a while, unless the room is held here again by then. */
  releaseLogLater(rid: string): void {
    setTimeout(() => {
      if (!this.rooms.has(rid) && !this.creating.has(rid)) this.log.release(rid);
    }, EMPTY_ROOM_LOG_KEPT_MS).unref();
  }

  all(): IterableIterator<Room> {
    return this.rooms.values();
  }

  get size(): number {
    return this.rooms.size;
  }
}
