import { AppError, Code, type Application, type ErrorCode, type Handler, type HandlerContext, type Session } from '../../../../game-server';
import { EVERYONE, Push, toUid, type HistoryResult, type SendResult } from '../../../protocol';
import { parseRequest, type RequestSchemas } from '../../../validation';
import { historyReply } from '../history-reply';
import type { Moderator } from '../moderation/moderator';
import type { Room } from '../room';
import { LogClaimLost } from '../room-log/room-log';
import type { RoomLocator } from '../room-locator';
import type { RoomRegistry } from '../room-registry';

/** `chat.chatHandler.*`: send to the room or privately to one member, and read the room's history. Room and sender come from the session. */
export function createChatHandler(
  app: Application,
  rooms: RoomRegistry,
  locator: RoomLocator,
  moderator: Moderator,
  schemas: RequestSchemas,
  historySize: number,
): Record<string, Handler> {
  /** The session's room, or the reply of the chat server that serves it now (the room moved). */
  async function roomOf(
    body: Record<string, unknown>,
    session: Session,
    { route, redirected }: HandlerContext,
  ): Promise<{ room: Room; username: string; uid: string } | { moved: Record<string, unknown> }> {
    const { rid, username } = session.settings;
    if (typeof rid !== 'string' || typeof username !== 'string' || session.uid === null) {
      throw new AppError(Code.FORBIDDEN, 'enter a room first');
    }
    const where = await locator.locate(rid, redirected, false);
    if (where && 'serverId' in where) return { moved: await forward(where.serverId, route, body, session) };
    const room = where?.room;
    if (!room || !room.channel.has(session.uid)) throw new AppError(Code.FORBIDDEN, 'enter a room first');
    return { room, username, uid: session.uid };
  }

  // The room moved and the sender's connector does not know yet: its new owner answers.
  async function forward(
    serverId: string,
    route: string,
    body: Record<string, unknown>,
    session: Session,
  ): Promise<Record<string, unknown>> {
    const reply = await app.forwardRequest(serverId, route, body, session);
    if (reply.code !== Code.OK) throw new AppError(reply.code as ErrorCode, reply.error ?? 'failed');
    const { code: _code, ...fields } = reply;
    return fields;
  }

  return {
    async send(body, session, context): Promise<SendResult> {
      const { content, target, clientMsgId } = parseRequest(schemas.send, body);
      const found = await roomOf(body, session, context);
      if ('moved' in found) return found.moved as unknown as SendResult;
      const { room, username } = found;
      await moderator.checkSend(room.rid, username);
      const targetUid = toUid(target, room.rid);
      if (target !== EVERYONE && !room.channel.has(targetUid)) throw new AppError(Code.BAD_REQUEST, `no user "${target}" in this room`);
      try {
        const { message } = await room.publish(
          { msg: content, from: username, target, ...(clientMsgId !== undefined && { clientMsgId }) },
          (m) => {
            if (target === EVERYONE) return room.channel.pushMessage(Push.chat, m);
            const frontendId = room.channel.frontendOf(targetUid);
            if (frontendId !== undefined) app.channels.pushMessageByUids(Push.chat, m, [{ uid: targetUid, frontendId }]);
          },
        );
        return { id: message.id, seq: message.seq };
      } catch (err) {
        if (!(err instanceof LogClaimLost)) throw err;
        // Another chat server claimed the room's log (it moved while this one held it): it answers.
        rooms.forget(room);
        if (context.redirected) throw new AppError(Code.UNAVAILABLE, 'the room is moving; try again');
        return (await forward(locator.owner(room.rid).id, context.route, body, session)) as unknown as SendResult;
      }
    },

    async history(body, session, context): Promise<HistoryResult> {
      const { rid, afterSeq, epoch, limit } = parseRequest(schemas.history, body);
      if (rid !== session.settings.rid) throw new AppError(Code.FORBIDDEN, 'only members of a room may read its history');
      const found = await roomOf(body, session, context);
      if ('moved' in found) return found.moved as unknown as HistoryResult;
      const position = { ...(afterSeq !== undefined && { lastSeq: afterSeq }), ...(epoch !== undefined && { epoch }) };
      return historyReply(found.room, found.username, position, Math.min(limit ?? historySize, historySize));
    },
  };
}
