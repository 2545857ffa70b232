import { AppError, Code, type Application } from '../../../../game-server';
import { EVERYONE, Push, toUid, type ReadEvent } from '../../../protocol';
import type { ChatRoutes } from '../../../routes/client-routes';
import type { MemberSession } from '../../../routes/member-session';
import type { ChatSettings } from '../../../settings';
import { historyReply } from '../history-reply';
import type { Moderator } from '../moderation/moderator';
import type { Room } from '../room';
import { LogClaimLost } from '../room-log/room-log';
import type { Arrival, RoomDirectory } from '../room-directory';
import type { RoomRegistry } from '../room-registry';
import type { Typing } from '../typing';

/**
 * `chat.chatHandler.*` on the room's chat server: send to the room or privately to one member, read
 * its history, say who is typing, move a read marker. The room is the request's `rid`, or the room
 * the connection entered with; the connector let the request through only if the connection is in it.
 */
export function handleChat(
  app: Application,
  routes: ChatRoutes,
  directory: RoomDirectory,
  rooms: RoomRegistry,
  moderator: Moderator,
  typing: Typing,
  settings: Pick<ChatSettings, 'HISTORY_SIZE' | 'RECEIPTS_MAX_MEMBERS'>,
): void {
  const historySize = settings.HISTORY_SIZE;

  /** The room (when it moved and the sender's connector does not know yet, the directory throws Moved: its new owner answers). */
  async function roomOf(rid: string | undefined, session: MemberSession, arrival: Arrival): Promise<Room> {
    const room = await directory.locate(rid ?? session.settings.rid, arrival, false);
    if (!room || !room.channel.has(toUid(session.settings.username, room.rid))) {
      throw new AppError(Code.FORBIDDEN, `join room "${rid ?? session.settings.rid}" first`);
    }
    return room;
  }

  app.handle(routes.send, async ({ content, target, rid, clientMsgId }, session, context) => {
    const room = await roomOf(rid, session, context);
    const { username } = session.settings;
    await moderator.checkSend(room.rid, username);
    const targetUid = toUid(target, room.rid);
    if (target !== EVERYONE && !room.channel.has(targetUid)) throw new AppError(Code.BAD_REQUEST, `no user "${target}" in this room`);
    typing.stopped(room, username);
    try {
      // The sender's connection learns its message from the reply; its other devices get the push.
      const { message } = await room.publish(
        { msg: content, from: username, target, ...(clientMsgId !== undefined && { clientMsgId }) },
        target === EVERYONE ? undefined : session.id,
        context.trace,
      );
      return { id: message.id, seq: message.seq };
    } catch (err) {
      // Another chat server claimed the room's log (it moved while this one held it): it answers.
      if (err instanceof LogClaimLost) directory.lost(room);
      throw err;
    }
  });

  app.handle(routes.history, async ({ rid, afterSeq, epoch, limit }, session, context) => {
    const room = await roomOf(rid, session, context);
    const position = { ...(afterSeq !== undefined && { lastSeq: afterSeq }), ...(epoch !== undefined && { epoch }) };
    return historyReply(room, session.settings.username, position, Math.min(limit ?? historySize, historySize));
  });

  app.handle(routes.typing, async ({ rid, typing: isTyping }, session, context) => {
    const room = await roomOf(rid, session, context);
    typing.set(room, session.settings.username, isTyping);
    return {};
  });

  app.handle(routes.read, async ({ rid, seq }, session, context) => {
    const room = await roomOf(rid, session, context);
    const { username } = session.settings;
    const upTo = Math.min(seq, room.head().seq);
    const readSeq = await rooms.log.markRead(room.rid, username, upTo);
    if (readSeq === upTo && upTo > 0) {
      const event: ReadEvent = { rid: room.rid, user: username, seq: readSeq };
      // Everyone's markers in a small room (receipts); in a big one only the user's own other devices.
      if (room.channel.size <= settings.RECEIPTS_MAX_MEMBERS) room.channel.pushMessage(Push.read, event, { exceptSid: session.id });
      else {
        const uid = toUid(username, room.rid);
        const frontendId = room.channel.frontendOf(uid);
        if (frontendId !== undefined) app.channels.pushMessageByUids(Push.read, event, [{ uid, frontendId }], { exceptSid: session.id });
      }
    }
    return { readSeq };
  });
}
