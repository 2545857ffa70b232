import { AppError, Code, type Application } from '../../../../game-server';
import { allowsRoom, roomNotAllowed } from '../../../auth/tokens';
import type { ChatRoutes } from '../../../routes/client-routes';
import type { ConnectionRooms } from '../connection-rooms';

/**
 * `chat.chatHandler.join` and `leave`, served by the connector: they change which rooms a connection
 * is in, which the connector keeps; joining asks the room's chat server to add the user (its `add`
 * remote, as entering does), leaving tells it when the user's last connection there has left.
 */
export function handleJoinLeave(app: Application, routes: ChatRoutes, rooms: ConnectionRooms): void {
  app.handle(routes.join, async ({ rid, ...position }, live) => {
    if (live.uid === null) throw new AppError(Code.FORBIDDEN, 'enter a room first');
    const grant = rooms.grantOf(live.id);
    if (grant && !allowsRoom(grant, rid)) throw new AppError(Code.FORBIDDEN, roomNotAllowed(rid));
    const result = await rooms.join(live, rid, position);
    app.log.debug({ uid: live.uid, rid }, 'join');
    return result;
  });

  app.handle(routes.leave, async ({ rid }, live) => {
    if (live.uid === null) throw new AppError(Code.FORBIDDEN, 'enter a room first');
    await rooms.leave(live, rid);
    return {};
  });
}
