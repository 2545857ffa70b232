import type { Application } from '../../../game-server';
import { Push, usernameOf, type RoomState, type UserEvent } from '../../protocol';
import { Room } from './room';

/** The rooms this chat server holds, by rid. An empty room is dropped with its history. */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();

  constructor(
    private readonly app: Application,
    private readonly historySize: number,
  ) {}

  get(rid: string): Room | undefined {
    return this.rooms.get(rid);
  }

  /** Creates `rid` here, empty or from the state of a room that moved here. */
  create(rid: string, state?: RoomState): Room {
    const existing = this.rooms.get(rid);
    if (existing) return existing;
    const room = new Room(rid, this.app.channels.getOrCreateChannel(rid), this.historySize, state);
    this.rooms.set(rid, room);
    return room;
  }

  /** Removes `rid` and returns its state, for its new owner. */
  take(rid: string): RoomState | null {
    const room = this.rooms.get(rid);
    if (!room) return null;
    this.rooms.delete(rid);
    this.app.channels.destroyChannel(rid);
    return room.toState();
  }

  /** `uid` leaves `room`; the others are told, and an empty room goes. */
  leave(room: Room, uid: string): void {
    room.channel.leave(uid);
    const event: UserEvent = { user: usernameOf(uid) };
    room.channel.pushMessage(Push.leave, event);
    this.removeIfEmpty(room);
  }

  /** Every member on connector `frontendId` leaves (that connector is gone); returns how many. */
  leaveAll(frontendId: string, except: ReadonlySet<string> = new Set()): number {
    let left = 0;
    for (const room of [...this.rooms.values()]) {
      for (const uid of room.channel.uids()) {
        if (room.channel.frontendOf(uid) !== frontendId || except.has(uid)) continue;
        this.leave(room, uid);
        left++;
      }
    }
    return left;
  }

  removeIfEmpty(room: Room): void {
    if (room.channel.size > 0) return;
    this.rooms.delete(room.rid);
    this.app.channels.destroyChannel(room.rid);
  }

  all(): IterableIterator<Room> {
    return this.rooms.values();
  }

  get size(): number {
    return this.rooms.size;
  }
}
