import { AppError, Code } from '../../../../game-server';
import { Push, usernameOf, type ChatRemote, type UserEvent } from '../../../protocol';
import type { RoomRegistry } from '../room-registry';

/** Room membership, called by connectors as their users enter and leave. */
export function createChatRemote(rooms: RoomRegistry): ChatRemote {
  return {
    add(uid, frontendId, rid, lastId = 0) {
      const room = rooms.getOrCreate(rid);
      const username = usernameOf(uid);
      if (room.channel.has(uid)) throw new AppError(Code.CONFLICT, `the name "${username}" is already taken in this room`);
      const event: UserEvent = { user: username };
      room.channel.pushMessage(Push.add, event);
      room.channel.add(uid, frontendId);
      return { users: room.users(), history: room.history.visibleAfter(lastId, username) };
    },

    kick(uid, frontendId, rid) {
      const room = rooms.get(rid);
      // Only the connector that added a member may remove it.
      if (!room || room.channel.frontendOf(uid) !== frontendId) return;
      room.channel.leave(uid);
      const event: UserEvent = { user: usernameOf(uid) };
      room.channel.pushMessage(Push.leave, event);
      rooms.removeIfEmpty(room);
    },
  };
}
