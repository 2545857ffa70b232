import { AppError, Code, type Application, type RemoteImpl } from '../../../../game-server';
import { EVERYONE, Push, usernameOf, type ChatRemote, type RoomInfo, type SendResult, type UserEvent } from '../../../protocol';
import type { ChatSettings } from '../../../settings';
import { historyReply } from '../history-reply';
import type { Moderator } from '../moderation/moderator';
import { readState, roomSummary } from '../read-markers';
import { LogClaimLost } from '../room-log/room-log';
import type { RoomDirectory } from '../room-directory';
import type { RoomRegistry } from '../room-registry';

/**
 * Room membership, called by connectors as their users enter and leave, and by chat servers moving
 * rooms; publishing and reading a room for the server API (through the web server).
 */
export function createChatRemote(
  app: Application,
  rooms: RoomRegistry,
  directory: RoomDirectory,
  moderator: Moderator,
  settings: Pick<ChatSettings, 'HISTORY_SIZE' | 'PRESENCE_MAX_MEMBERS'>,
): RemoteImpl<ChatRemote> {
  const historySize = settings.HISTORY_SIZE;
  const presenceMax = settings.PRESENCE_MAX_MEMBERS;
  return {
    async add(context, uid, frontendId, rid, position) {
      const room = await directory.locate(rid, context, true);
      if (!room) throw new AppError(Code.SERVER_ERROR, 'the room could not be created');
      const username = usernameOf(uid);
      await moderator.checkEnter(rid, username);
      const holder = room.channel.frontendOf(uid);
      if (holder !== undefined) {
        // A member whose connector is gone is the ghost of a crashed connector: the user is back.
        // (The same connector never adds a uid twice: it holds one session per uid.)
        if (holder !== frontendId && app.isServerUp(holder)) {
          throw new AppError(Code.CONFLICT, `the name "${username}" is already taken in this room`);
        }
      } else if (room.channel.size < presenceMax) {
        // Not to the newcomer: its connector may have put it in the room by the time the push arrives.
        const event: UserEvent = { user: username, rid };
        room.channel.pushMessage(Push.add, event, { except: uid });
      }
      room.channel.add(uid, frontendId);
      const { messages, ...log } = await historyReply(room, username, position, historySize);
      const read = await readState(rooms.log, rid, username, room.head().seq, historySize);
      return { users: room.users(presenceMax), userCount: room.channel.size, history: messages, ...log, ...read };
    },

    async summaries(_context, username, rids) {
      return Promise.all(
        rids.map(async (rid) => {
          const room = rooms.get(rid);
          if (room) {
            const { epoch, seq } = room.head();
            return roomSummary(rooms.log, rid, username, { epoch, lastSeq: seq }, room.channel.size, historySize);
          }
          // Not held here (it is moving, or its log lives in Redis): what its log says.
          const { epoch, lastSeq } = await rooms.log.read(rid, Number.MAX_SAFE_INTEGER, 1);
          return roomSummary(rooms.log, rid, username, { epoch, lastSeq }, 0, historySize);
        }),
      );
    },

    async kick(context, uid, frontendId, rid) {
      const room = await directory.locate(rid, context, false);
      // Only the connector that added a member may remove it.
      if (room && room.channel.frontendOf(uid) === frontendId) rooms.leave(room, uid);
    },

    async resync(_context, frontendId, members, authoritative) {
      let joined = 0;
      const touched = new Set<string>();
      for (const { uid, rid } of members) {
        const room = await directory.obtain(rid, true);
        if (!room) continue;
        touched.add(rid);
        if (room.channel.frontendOf(uid) === frontendId) continue;
        room.channel.add(uid, frontendId);
        joined++;
      }
      const left = authoritative ? rooms.leaveAll(frontendId, new Set(members.map((m) => m.uid))) : 0;
      if (authoritative) directory.connectorResynced(frontendId);
      // Pushes to these members may have been lost while the link was down: tell them where each log stands.
      for (const rid of touched) {
        const room = rooms.get(rid);
        room?.channel.pushToFrontend(frontendId, Push.seq, room.head());
      }
      if (joined > 0 || left > 0) app.log.info({ connector: frontendId, joined, left }, 'members resynced');
      return { rooms: joined };
    },

    async takeRoom(_context, rid) {
      const state = await rooms.take(rid);
      if (state) app.log.info({ rid, members: state.members.length }, 'room handed over');
      return state;
    },

    async publish(context, rid, from, content): Promise<SendResult> {
      // A shared log outlives the room: publishing into an empty room is kept. A memory log would go with it.
      const room = await directory.locate(rid, context, rooms.log.kind === 'redis');
      if (!room) throw new AppError(Code.NOT_FOUND, `nobody is in room "${rid}"`);
      try {
        const { message } = await room.publish({ msg: content, from, target: EVERYONE });
        return { id: message.id, seq: message.seq };
      } catch (err) {
        // Another chat server claimed the room's log (it moved while this one held it): it publishes.
        if (err instanceof LogClaimLost) directory.lost(room);
        throw err;
      } finally {
        rooms.removeIfEmpty(room);
      }
    },

    async roomInfo(context, rid): Promise<RoomInfo> {
      const room = await directory.locate(rid, context, false);
      const read = room ? await room.read(0, historySize) : await rooms.log.read(rid, 0, historySize);
      const [bans, mutes] = await Promise.all([moderator.store.list(rid, 'ban'), moderator.store.list(rid, 'mute')]);
      return {
        rid,
        server: app.serverId,
        members: room ? room.users() : [],
        history: read.messages.filter((m) => m.target === EVERYONE),
        epoch: read.epoch,
        lastSeq: read.lastSeq,
        bans,
        mutes,
      };
    },
  };
}
