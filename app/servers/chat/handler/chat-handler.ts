import { AppError, Code, Moved, type Application, type HandlerContext } from '../../../../game-server';
import { EVERYONE, Push, toUid } from '../../../protocol';
import type { ChatRoutes } from '../../../routes/client-routes';
import type { MemberSession } from '../../../routes/member-session';
import { historyReply } from '../history-reply';
import type { Moderator } from '../moderation/moderator';
import type { Room } from '../room';
import { LogClaimLost } from '../room-log/room-log';
import type { RoomLocator } from '../room-locator';
import type { RoomRegistry } from '../room-registry';

/** `chat.chatHandler.*`: send to the room or privately to one member, and read the room's history. Room and sender come from the session. */
export function handleChat(
  app: Application,
  routes: ChatRoutes,
  rooms: RoomRegistry,
  locator: RoomLocator,
  moderator: Moderator,
  historySize: number,
): void {
  /** The session's room; when it moved and the sender's connector does not know yet, its new owner answers. */
  async function roomOf({ uid, settings: { rid } }: MemberSession, { redirected }: HandlerContext): Promise<Room> {
    const where = await locator.locate(rid, redirected, false);
    if (where && 'serverId' in where) throw new Moved(where.serverId);
    const room = where?.room;
    if (!room || !room.channel.has(uid)) throw new AppError(Code.FORBIDDEN, 'enter a room first');
    return room;
  }

  app.handle(routes.send, async ({ content, target, clientMsgId }, session, context) => {
    const room = await roomOf(session, context);
    const { username } = session.settings;
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
      throw new Moved(locator.owner(room.rid).id);
    }
  });

  app.handle(routes.history, async ({ rid, afterSeq, epoch, limit }, session, context) => {
    if (rid !== session.settings.rid) throw new AppError(Code.FORBIDDEN, 'only members of a room may read its history');
    const room = await roomOf(session, context);
    const position = { ...(afterSeq !== undefined && { lastSeq: afterSeq }), ...(epoch !== undefined && { epoch }) };
    return historyReply(room, session.settings.username, position, Math.min(limit ?? historySize, historySize));
  });
}
