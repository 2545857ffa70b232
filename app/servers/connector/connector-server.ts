import type { Application } from '../../../game-server';
import type { ChatRemote, ChatSession } from '../../protocol';
import { chatRoute } from '../../routes/chat-route';
import type { ChatSettings } from '../../settings';
import { requestSchemas } from '../../validation';
import { createEntryHandler } from './handler/entry-handler';
import { createConnectorRemote } from './remote/connector-remote';
import { keepChatServersInSync } from './session-resync';

/** A connector: holds client sessions, forwards `chat.*` to the room's chat server, delivers pushes. */
export function configureConnectorServer(app: Application, settings: ChatSettings): void {
  app.route('chat', chatRoute);
  app.handler('entryHandler', createEntryHandler(app, requestSchemas(settings), settings.AUTH_SECRET));

  app.remote('connectorRemote', { ...createConnectorRemote(app) });
  keepChatServersInSync(app);

  const chat = app.rpc<ChatRemote>('chat', 'chatRemote');
  app.sessions.onClosed((session) => {
    const { rid } = session.settings as Partial<ChatSession>;
    if (session.uid === null || rid === undefined) return;
    const uid = session.uid;
    app.log.debug({ uid, rid }, 'leave');
    return chat
      .route(session)
      .kick(uid, app.serverId, rid)
      .catch((err: unknown) => app.log.warn({ uid, rid, err: (err as Error).message }, 'could not tell the chat server a user left'));
  });
}
