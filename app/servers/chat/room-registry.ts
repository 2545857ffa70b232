import type { Application } from '../../../game-server';
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

  getOrCreate(rid: string): Room {
    let room = this.rooms.get(rid);
    if (!room) {
      room = new Room(rid, this.app.channels.getOrCreateChannel(rid), this.historySize);
      this.rooms.set(rid, room);
    }
    return room;
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
