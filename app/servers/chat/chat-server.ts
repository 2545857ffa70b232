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
import { RoomDirectory, type TakeRoom } from './room-directory';
import { RoomRegistry } from './room-registry';
import { Typing } from './typing';
import { keepRoomsAcrossRestart } from './rooms-file/keep-rooms-across-restart';

/** How long a chat server waits for a peer to hand a room over. */
const TAKE_TIMEOUT_MS = 1000;

/** A chat server: holds rooms, runs `chat.*` handlers and the chat remote. */
export function configureChatServer(app: Application, routes: ChatRoutes, settings: ChatSettings): void {
  const stores = createChatStores(settings, app.log);
  const typing = new Typing();
  const rooms = new RoomRegistry(app, stores.log, stores.moderation, { maxMembers: settings.PRESENCE_MAX_MEMBERS, typing });
  const directory = new RoomDirectory(app, takeRoomFrom(app), rooms);
  const moderator = new Moderator(app, rooms, stores.moderation);
  const schemas = requestSchemas(settings);
  handleChat(app, routes, directory, rooms, moderator, typing, settings);
  app.remote(Remotes.chat, createChatRemote(app, rooms, directory, moderator, settings));
  app.remote(Remotes.moderation, createModerationRemote(directory, moderator, schemas));

  // Pushes to a connector are dropped while the link to it is down: its members learn each log's head and catch up.
  app.onLinkUp((server) => {
    if (server.serverType !== 'connector') return;
    for (const room of rooms.all()) room.channel.pushToFrontend(server.id, Push.seq, room.head());
  });
  if (stores.memory) keepRoomsAcrossRestart(app, rooms, directory, stores.memory, settings);
  app.beforeStop(() => stores.close());
  registerChatStats(app, rooms, stores.calls);
}

/** Asks a peer for a room with a short timeout: a peer that does not answer in time is taken not to hold it. */
function takeRoomFrom(app: Application): TakeRoom {
  return (peer, rid) => app.rpc(Remotes.chat).toPeer(peer, { timeoutMs: TAKE_TIMEOUT_MS }).takeRoom(rid);
}
