import type { Application, RemoteImpl } from '../../../../game-server';
import { Push, type ConnectorRemote } from '../../../protocol';
import { memberOf } from '../../../routes/member-session';

/** What chat servers ask of this connector about the users it holds. */
export function createConnectorRemote(app: Application): RemoteImpl<ConnectorRemote> {
  return {
    async kick(_context, uid, event) {
      const session = app.sessions.getByUid(uid);
      if (!session) return false;
      const member = memberOf(session);
      // Out of the room's channel first: pushes to the room from now on (its own onLeave) skip this socket.
      if (member) session.leave(member.settings.rid);
      session.socket.emit(Push.kick, event);
      app.metrics.messagesDelivered(Push.kick, 1);
      // After the push: socket.io closes the connection once what it queued has been written.
      session.socket.disconnect(true);
      app.log.info({ uid }, 'kicked by a moderator');
      return true;
    },
  };
}
