import { AppError, Code, type Application, type ErrorCode, type Handler } from '../../../../game-server';
import { EVERYONE, Push, toUid, type SendResult } from '../../../protocol';
import { parseRequest, type RequestSchemas } from '../../../validation';
import type { RoomLocator } from '../room-locator';

/** `chat.chatHandler.send`: to the room, or privately to one member. Room and sender come from the session. */
export function createChatHandler(app: Application, locator: RoomLocator, schemas: RequestSchemas): Record<string, Handler> {
  return {
    async send(body, session, { route, redirected }): Promise<SendResult> {
      const { content, target } = parseRequest(schemas.send, body);
      const { rid, username } = session.settings;
      if (typeof rid !== 'string' || typeof username !== 'string' || session.uid === null) {
        throw new AppError(Code.FORBIDDEN, 'enter a room first');
      }
      const where = await locator.locate(rid, redirected, false);
      if (where && 'serverId' in where) {
        // The room moved and the sender's connector does not know yet: its new owner answers.
        const reply = await app.forwardRequest(where.serverId, route, body, session);
        if (reply.code !== Code.OK) throw new AppError(reply.code as ErrorCode, reply.error ?? 'failed');
        return { id: reply.id as number };
      }
      const room = where?.room;
      if (!room || !room.channel.has(session.uid)) throw new AppError(Code.FORBIDDEN, 'enter a room first');
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
