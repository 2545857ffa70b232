import type { Application } from '../../../game-server';
import { Push, Remotes } from '../../protocol';
import type { ChatRoutes } from '../../routes/client-routes';
import type { ChatSettings } from '../../settings';
import { requestSchemas } from '../../validation';
import { registerChatStats } from './chat-stats';
import { createChatStores } from './create-chat-stores';
import { handleChat } from './handler/chat-handler';
import { Moderator } from './moderation/moderator';
import { createChatRemote } from './remote/chat-remote';
import { createModerationRemote } from './remote/moderation-remote';
import { RoomLocator } from './room-locator';
import { RoomRegistry } from './room-registry';

/** How long a connector may be gone (a pm2 restart) before its users are taken to have left. */
const CONNECTOR_GONE_MS = 5000;

/** A chat server: holds rooms, runs `chat.*` handlers and the chat remote. */
export function configureChatServer(app: Application, routes: ChatRoutes, settings: ChatSettings): void {
  const stores = createChatStores(settings, app.log);
  const rooms = new RoomRegistry(app, stores.log, stores.moderation);
  const locator = new RoomLocator(app, rooms);
  const moderator = new Moderator(app, rooms, stores.moderation);
  const schemas = requestSchemas(settings);
  handleChat(app, routes, rooms, locator, moderator, settings.HISTORY_SIZE);
  app.remote(Remotes.chat, createChatRemote(app, rooms, locator, moderator, settings.HISTORY_SIZE));
  app.remote(Remotes.moderation, createModerationRemote(app, locator, moderator, schemas));

  // A connector that does not come back: its users left. One that does re-sends its users anyway.
  app.onLinkDown((server) => {
    if (server.serverType !== 'connector') return;
    setTimeout(() => {
      if (app.isServerUp(server.id)) return;
      const left = rooms.leaveAll(server.id);
      if (left > 0) app.log.warn({ connector: server.id, left }, 'connector gone: its users left their rooms');
    }, CONNECTOR_GONE_MS).unref();
  });
  // Pushes to a connector are dropped while the link to it is down: its members learn each log's head and catch up.
  app.onLinkUp((server) => {
    if (server.serverType !== 'connector') return;
    for (const room of rooms.all()) room.channel.pushToFrontend(server.id, Push.seq, room.head());
  });
  app.beforeStop(() => stores.close());
  registerChatStats(app, rooms);
}
