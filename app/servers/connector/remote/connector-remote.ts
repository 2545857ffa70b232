import type { Application, RemoteImpl } from '../../../../game-server';
import type { ChatSession, ConnectorRemote } from '../../../protocol';
import { kickConnection } from '../kick-connection';

/** What chat servers ask of this connector about the users it holds. */
export function createConnectorRemote(app: Application): RemoteImpl<ConnectorRemote> {
  return {
    async kick(_context, uid, event) {
      const session = app.sessions.getByUid(uid);
      if (!session) return false;
      kickConnection(app, app.sessions.get<ChatSession>(session.id), event);
      app.log.info({ uid }, 'kicked by a moderator');
      return true;
    },
  };
}
