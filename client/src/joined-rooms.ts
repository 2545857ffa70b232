/**
 * The rooms a ChatClient is in, each with its log follower: routes every room push by its `rid`,
 * holds a room's onAdd/onLeave until its enter or join reply is applied, and says where each room
 * stands for the next re-entry. No I/O of its own: history comes through `fetchHistory`.
 */
import type { RoomMessage } from './events.js';
import type { ChatMessage, EnterResult, HistoryReply, LogPosition, SeqEvent, UserEvent } from './protocol.js';
import { RoomFollowers } from './room-followers.js';

export interface JoinedRoomsIO {
  fetchHistory(rid: string, afterSeq: number, epoch: string | undefined): Promise<HistoryReply>;
  /** A message of `rid`, once and in seq order. */
  message(message: RoomMessage): void;
  /** `rid`'s log could not be fully recovered. */
  lost(rid: string): void;
  /** onAdd (`join`) or onLeave (`leave`) in `rid`, in order with its reply. */
  user(event: 'join' | 'leave', rid: string, user: string): void;
}

interface Room {
  rid: string;
  /** In the room on the current connection. */
  entered: boolean;
  /** While a reply is applied for join(): its history, returned instead of emitted. */
  replayed?: ChatMessage[];
  /** onAdd/onLeave that came before the enter or join reply, emitted after it. */
  held?: (() => void)[];
}

export class JoinedRooms {
  /** In the order joined: the first is the one a new connection enters. */
  private readonly byRid = new Map<string, Room>();
  private readonly followers = new RoomFollowers();

  constructor(private readonly io: JoinedRoomsIO) {}

  get size(): number {
    return this.byRid.size;
  }

  rids(): string[] {
    return [...this.byRid.keys()];
  }

  has(rid: string): boolean {
    return this.byRid.has(rid);
  }

  /** In `rid` on the current connection (its reply applied). */
  entered(rid: string): boolean {
    return this.byRid.get(rid)?.entered === true;
  }

  /** Starts following `rid`, not entered yet. */
  add(rid: string): void {
    const room: Room = { rid, entered: false };
    this.byRid.set(rid, room);
    const follower = this.followers.add(rid, {
      fetchHistory: (afterSeq, epoch) => this.io.fetchHistory(rid, afterSeq, epoch),
      // The follower has taken the message's epoch before it delivers it.
      deliver: (message) =>
        room.replayed ? room.replayed.push(message) : this.io.message({ ...message, rid, epoch: follower.position().epoch ?? '' }),
      lost: () => this.io.lost(rid),
    });
  }

  /** Stops following `rid` (left, kicked, refused): its later pushes are ignored. Whether it was there. */
  remove(rid: string): boolean {
    this.followers.remove(rid);
    return this.byRid.delete(rid);
  }

  /** Where `rid`'s log stands: `lastSeq` and `epoch` for its next enter or join. */
  position(rid: string): LogPosition {
    return this.followers.get(rid)?.position() ?? {};
  }

  /** An enter or join of `rid` goes out: its onAdd/onLeave wait for the reply. */
  entering(rid: string): void {
    const room = this.byRid.get(rid);
    if (room) room.held = [];
  }

  /**
   * The enter or join reply of `rid`: its history first, then the pushes that came meanwhile. With
   * `replay`, the reply's messages go there instead of being emitted (join() returns them).
   */
  apply(rid: string, reply: EnterResult, replay?: ChatMessage[]): void {
    const room = this.byRid.get(rid);
    if (!room) return;
    room.entered = true;
    room.replayed = replay;
    this.followers.get(rid)?.entered({ messages: reply.history, epoch: reply.epoch, lastSeq: reply.lastSeq, recovered: reply.recovered });
    room.replayed = undefined;
    const held = room.held ?? [];
    room.held = undefined;
    for (const fn of held) fn();
  }

  /** The connection dropped (or an attempt failed): every room holds its pushes until its next reply. */
  suspend(): void {
    for (const room of this.byRid.values()) room.entered = false;
    this.followers.suspendAll();
  }

  clear(): void {
    this.followers.closeAll();
    this.byRid.clear();
  }

  /** The room a push is about: its `rid`, or (a server before multi-room) the only room. */
  roomOf(rid: string | undefined): string | undefined {
    if (rid !== undefined) return this.byRid.has(rid) ? rid : undefined;
    return this.byRid.size === 1 ? this.rids()[0] : undefined;
  }

  chat(message: ChatMessage & { rid?: string }): void {
    this.followers.chat(message);
  }

  seq(event: SeqEvent): void {
    this.followers.seq(event);
  }

  user(event: 'join' | 'leave', payload: Partial<UserEvent> & { user: string }): void {
    const rid = this.roomOf(payload.rid);
    const room = rid === undefined ? undefined : this.byRid.get(rid);
    if (!room) return;
    const fn = (): void => this.io.user(event, room.rid, payload.user);
    if (room.held) room.held.push(fn);
    else fn();
  }
}
