import type { Application, RemoteImpl } from '../../../../game-server';
import type { ChatSession, ConnectorRemote } from '../../../protocol';
import type { ConnectionRooms } from '../connection-rooms';

/** What chat servers ask of this connector about the users it holds. */
export function createConnectorRemote(app: Application, rooms: ConnectionRooms): RemoteImpl<ConnectorRemote> {
  return {
    async kick(_context, uid, event) {
      const holders = [...app.sessions.sessionsOf(uid)];
      if (holders.length === 0) return false;
      // The chat server that asks takes the user out of the room itself.
      if (event.rid !== undefined) rooms.kick(uid, { ...event, rid: event.rid }, false);
      else for (const session of holders) rooms.close(app.sessions.get<ChatSession>(session.id), event);
      app.log.info({ uid, connections: holders.length }, 'kicked by a moderator');
      return true;
    },
  };
}
