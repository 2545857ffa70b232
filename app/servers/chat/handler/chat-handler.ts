import { AppError, Code, type Application, type Handler } from '../../../../game-server';
import { EVERYONE, Push, toUid, type SendResult } from '../../../protocol';
import { parseRequest, type RequestSchemas } from '../../../validation';
import type { RoomRegistry } from '../room-registry';

/** `chat.chatHandler.send`: to the room, or privately to one member. Room and sender come from the session. */
export function createChatHandler(app: Application, rooms: RoomRegistry, schemas: RequestSchemas): Record<string, Handler> {
  return {
    async send(body, session): Promise<SendResult> {
      const { content, target } = parseRequest(schemas.send, body);
      const { rid, username } = session.settings;
      const room = typeof rid === 'string' ? rooms.get(rid) : undefined;
      if (!room || session.uid === null || typeof username !== 'string' || !room.channel.has(session.uid)) {
        throw new AppError(Code.FORBIDDEN, 'enter a room first');
      }
      if (target === EVERYONE) {
        const message = room.record(content, username, EVERYONE);
        room.channel.pushMessage(Push.chat, message);
        return { id: message.id };
      }
      const targetUid = toUid(target, room.rid);
      const frontendId = room.channel.frontendOf(targetUid);
      if (frontendId === undefined) throw new AppError(Code.BAD_REQUEST, `no user "${target}" in this room`);
      const message = room.record(content, username, target);
      app.channels.pushMessageByUids(Push.chat, message, [{ uid: targetUid, frontendId }]);
      return { id: message.id };
    },
  };
}
