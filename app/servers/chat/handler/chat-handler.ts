import { AppError, Code, type Application } from '../../../../game-server';
import { EVERYONE, Push, toUid } from '../../../protocol';
import type { ChatRoutes } from '../../../routes/client-routes';
import type { MemberSession } from '../../../routes/member-session';
import { historyReply } from '../history-reply';
import type { Moderator } from '../moderation/moderator';
import type { Room } from '../room';
import { LogClaimLost } from '../room-log/room-log';
import type { Arrival, RoomDirectory } from '../room-directory';

/** `chat.chatHandler.*`: send to the room or privately to one member, and read the room's history. Room and sender come from the session. */
export function handleChat(
  app: Application,
  routes: ChatRoutes,
  directory: RoomDirectory,
  moderator: Moderator,
  historySize: number,
): void {
  /** The session's room (when it moved and the sender's connector does not know yet, the directory throws Moved: its new owner answers). */
  async function roomOf({ uid, settings: { rid } }: MemberSession, arrival: Arrival): Promise<Room> {
    const room = await directory.locate(rid, arrival, false);
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
      // Another chat server claimed the room's log (it moved while this one held it): it answers.
      if (err instanceof LogClaimLost) directory.lost(room);
      throw err;
    }
  });

  app.handle(routes.history, async ({ rid, afterSeq, epoch, limit }, session, context) => {
    if (rid !== session.settings.rid) throw new AppError(Code.FORBIDDEN, 'only members of a room may read its history');
    const room = await roomOf(session, context);
    const position = { ...(afterSeq !== undefined && { lastSeq: afterSeq }), ...(epoch !== undefined && { epoch }) };
    return historyReply(room, session.settings.username, position, Math.min(limit ?? historySize, historySize));
  });
}
