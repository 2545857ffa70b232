import { AppError, Code, type Application } from '../../../game-server';
import { Remotes } from '../../protocol';
import type { ChatRoutes } from '../../routes/client-routes';
import { chatRoute } from '../../routes/chat-route';
import { requestRoom } from '../../routes/request-room';
import type { ChatSettings } from '../../settings';
import { ConnectionRooms } from './connection-rooms';
import { handleEntry } from './handler/entry-handler';
import { handleJoinLeave } from './handler/join-leave-handler';
import { createConnectorRemote } from './remote/connector-remote';
import { keepChatServersInSync } from './session-resync';

/** A connector: holds client sessions and their rooms, forwards `chat.*` to the room's chat server, delivers pushes. */
export function configureConnectorServer(app: Application, routes: ChatRoutes, settings: ChatSettings): void {
  const rooms = new ConnectionRooms(app, {
    maxRooms: settings.MAX_ROOMS_PER_CONNECTION,
    maxConnectionsPerUser: settings.AUTH_SECRET === undefined ? undefined : settings.MAX_CONNECTIONS_PER_USER,
  });
  app.route('chat', chatRoute);
  handleEntry(app, routes, rooms, settings.AUTH_SECRET);
  handleJoinLeave(app, routes, rooms);

  // A `chat.*` request is about one of the connection's rooms: only the connector knows which it is in.
  app.beforeForward(({ route, body, session }) => {
    if (!route.startsWith('chat.')) return;
    const rid = requestRoom(body, session);
    if (session.uid === null || rid === undefined) throw new AppError(Code.FORBIDDEN, 'enter a room first');
    if (!rooms.holds(session.id, rid)) throw new AppError(Code.FORBIDDEN, `join room "${rid}" first`);
  });

  app.remote(Remotes.connector, createConnectorRemote(app, rooms));
  keepChatServersInSync(app, rooms);
  app.sessions.onClosed((session) => rooms.closed(session));
}
