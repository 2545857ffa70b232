import type { Application } from '../../../game-server';
import { Remotes } from '../../protocol';
import type { ChatRoutes } from '../../routes/client-routes';
import { chatRoute } from '../../routes/chat-route';
import { memberOf } from '../../routes/member-session';
import { handleEntry } from './handler/entry-handler';
import { createConnectorRemote } from './remote/connector-remote';
import { keepChatServersInSync } from './session-resync';

/** A connector: holds client sessions, forwards `chat.*` to the room's chat server, delivers pushes. */
export function configureConnectorServer(app: Application, routes: ChatRoutes, authSecret?: string): void {
  app.route('chat', chatRoute);
  handleEntry(app, routes, authSecret);

  app.remote(Remotes.connector, createConnectorRemote(app));
  keepChatServersInSync(app);

  const chat = app.rpc(Remotes.chat);
  app.sessions.onClosed((session) => {
    const member = memberOf(session);
    if (!member) return;
    const {
      uid,
      settings: { rid },
    } = member;
    app.log.debug({ uid, rid }, 'leave');
    return chat
      .route(member)
      .kick(uid, app.serverId, rid)
      .catch((err: unknown) => app.log.warn({ uid, rid, err: (err as Error).message }, 'could not tell the chat server a user left'));
  });
}
