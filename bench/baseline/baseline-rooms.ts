/** The baseline's rooms (members, log, ids), under the cluster's room limits. */
import type { ChatMessage, EnterResult } from '../../app/protocol';
import { MessageHistory } from './message-history';

export interface Room {
  /** username -> socket id (socket ids are socket.io rooms, on every worker). */
  members: Map<string, string>;
  history: MessageHistory;
  lastId: number;
  lastSeq: number;
}

/** The cluster's room limits (PRESENCE_MAX_MEMBERS, MAX_ROOMS_PER_CONNECTION). */
export interface RoomLimits {
  /** A room of more members sends no onAdd/onLeave, and enter replies list the first this many names. */
  presenceMaxMembers: number;
  maxRoomsPerConnection: number;
}

export class Rooms {
  private readonly rooms = new Map<string, Room>();
  // The rooms' ids and logs live as long as this process: one epoch.
  readonly epoch = `baseline-${Date.now().toString(36)}-${process.pid}`;

  constructor(
    private readonly historySize: number,
    readonly limits: RoomLimits,
  ) {}

  get(rid: string): Room | undefined {
    return this.rooms.get(rid);
  }

  getOrCreate(rid: string): Room {
    let room = this.rooms.get(rid);
    if (!room) {
      room = { members: new Map(), history: new MessageHistory(this.historySize), lastId: Date.now() * 1000, lastSeq: 0 };
      this.rooms.set(rid, room);
    }
    return room;
  }

  add(rid: string, username: string, sid: string): void {
    this.getOrCreate(rid).members.set(username, sid);
  }

  remove(rid: string, username: string): void {
    const room = this.rooms.get(rid);
    if (!room) return;
    room.members.delete(username);
    if (room.members.size === 0) this.rooms.delete(rid);
  }

  /** Whether a room of `members` members tells them who comes and goes. */
  announces(members: number): boolean {
    return members <= this.limits.presenceMaxMembers;
  }

  /** The enter and join reply for `username`, just added to `room` (no read markers here: everything visible is unread). */
  entered(room: Room, username: string, lastId: number): EnterResult {
    const history: ChatMessage[] = room.history.visibleAfter(lastId, username);
    const names = [...room.members.keys()];
    return {
      users: names.length > this.limits.presenceMaxMembers ? names.slice(0, this.limits.presenceMaxMembers) : names,
      userCount: names.length,
      history,
      epoch: this.epoch,
      lastSeq: room.lastSeq,
      recovered: true,
      readSeq: 0,
      unread: lastId === 0 ? history.length : room.history.visibleAfter(0, username).length,
    };
  }
}
