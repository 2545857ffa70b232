import type { Application } from '../../../game-server';
import type { ChatSettings } from '../../settings';
import { requestSchemas } from '../../validation';
import { registerChatStats } from './chat-stats';
import { createChatHandler } from './handler/chat-handler';
import { createChatRemote } from './remote/chat-remote';
import { RoomRegistry } from './room-registry';

/** A chat server: holds rooms, runs `chat.*` handlers and the chat remote. */
export function configureChatServer(app: Application, settings: ChatSettings): void {
  const rooms = new RoomRegistry(app, settings.HISTORY_SIZE);
  app.handler('chatHandler', createChatHandler(app, rooms, requestSchemas(settings)));
  app.remote('chatRemote', { ...createChatRemote(rooms) });
  registerChatStats(app, rooms);
}
