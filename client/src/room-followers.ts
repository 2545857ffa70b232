/**
 * The followers of one connection's rooms, one RoomLogFollower per room: routes each `onChat` and
 * `onSeq` to the follower of its `rid`, so that a gap, a catch-up or a new epoch in one room never
 * touches another. Pure logic, like the follower.
 */
import type { ChatMessage, SeqEvent } from './protocol.js';
import { RoomLogFollower, type FollowerIO } from './room-log-follower.js';

export class RoomFollowers {
  /** In the order the rooms were added: the first is the one a connection enters with. */
  private readonly byRid = new Map<string, RoomLogFollower>();

  /** Follows `rid` from now (a room left and joined again starts afresh: its old follower is closed). */
  add(rid: string, io: FollowerIO): RoomLogFollower {
    this.byRid.get(rid)?.close();
    const follower = new RoomLogFollower(io, rid);
    this.byRid.set(rid, follower);
    return follower;
  }

  /** Stops following `rid`: its catch-up ends and later pushes of it are ignored. */
  remove(rid: string): void {
    this.byRid.get(rid)?.close();
    this.byRid.delete(rid);
  }

  get(rid: string): RoomLogFollower | undefined {
    return this.byRid.get(rid);
  }

  has(rid: string): boolean {
    return this.byRid.has(rid);
  }

  /** The rooms followed, the first added first. */
  rids(): string[] {
    return [...this.byRid.keys()];
  }

  get size(): number {
    return this.byRid.size;
  }

  chat(message: ChatMessage & { rid?: string }): void {
    this.route(message.rid)?.chat(message);
  }

  seq(event: SeqEvent | Omit<SeqEvent, 'rid'>): void {
    this.route('rid' in event ? event.rid : undefined)?.seq(event);
  }

  /** The connection dropped: every room holds its pushes until its next enter or join reply. */
  suspendAll(): void {
    for (const follower of this.byRid.values()) follower.suspend();
  }

  closeAll(): void {
    for (const follower of this.byRid.values()) follower.close();
    this.byRid.clear();
  }

  /**
   * The follower of `rid`; a push without `rid` (a server before multi-room) goes to the only room,
   * and is dropped when there are several: nobody could tell whose it is.
   */
  private route(rid: string | undefined): RoomLogFollower | undefined {
    if (rid !== undefined) return this.byRid.get(rid);
    return this.byRid.size === 1 ? this.byRid.values().next().value : undefined;
  }
}
