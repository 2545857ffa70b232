import { AppError, Code, type Application } from '../../../../game-server';
import { Remotes, toUid } from '../../../protocol';
import { checkGrant, verifyToken } from '../../../auth/tokens';
import type { ChatRoutes } from '../../../routes/client-routes';

/**
 * `connector.entryHandler.enter`: binds the session to `username*rid` and adds it to the room's chat
 * server. With `authSecret` (AUTH_SECRET), only with a token for that name (and room, if it lists rooms).
 */
export function handleEntry(app: Application, routes: ChatRoutes, authSecret?: string): void {
  const chat = app.rpc(Remotes.chat);
  app.handle(routes.enter, async ({ username, rid, token, ...position }, live) => {
    if (live.uid !== null) throw new AppError(Code.FORBIDDEN, 'this connection has already entered a room');
    if (authSecret !== undefined) checkGrant(await verifyToken(authSecret, token), username, rid);
    // The await above gave another request of this connection the chance to enter first.
    if (live.uid !== null) throw new AppError(Code.FORBIDDEN, 'this connection has already entered a room');
    const uid = toUid(username, rid);
    if (app.sessions.getByUid(uid)) throw new AppError(Code.CONFLICT, `the name "${username}" is already taken in this room`);
    live.bind(uid);
    live.set('rid', rid);
    live.set('username', username);
    // In the room's channel before the chat server adds the user: a message pushed right after the
    // add may overtake the add's reply (another link), and must not find the socket outside the room.
    live.join(rid);
    try {
      const result = await chat.route(live).add(uid, app.serverId, rid, position);
      live.set('inRoom', true);
      app.log.debug({ uid, rid }, 'enter');
      return result;
    } catch (err) {
      live.leave(rid);
      live.unbind();
      throw err;
    }
  });
}
