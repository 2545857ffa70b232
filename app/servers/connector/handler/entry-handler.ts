import { AppError, Code, type Application } from '../../../../game-server';
import { Push, TOKEN_EXPIRED, toUid, type ChatSession, type TokenExpiringEvent } from '../../../protocol';
import { allowsRoom, checkGrant, checkUser, roomNotAllowed, verifyToken } from '../../../auth/tokens';
import type { ChatRoutes } from '../../../routes/client-routes';
import type { ConnectionRooms } from '../connection-rooms';
import { TokenExpiry } from '../token-expiry';

/**
 * `connector.entryHandler.*`: `enter` binds the connection to `username` and puts it in its first
 * room; `refresh` brings the next token; `rooms` says where the connection stands in each of its
 * rooms. With `authSecret` (AUTH_SECRET), only with a token for that name (and rooms, if it lists
 * some), and only until the token expires.
 */
export function handleEntry(app: Application, routes: ChatRoutes, rooms: ConnectionRooms, authSecret?: string): void {
  const expiry = authSecret === undefined ? undefined : closeOnTokenExpiry(app, rooms);

  app.handle(routes.enter, async ({ username, rid, token, ...position }, live) => {
    if (live.uid !== null) throw new AppError(Code.FORBIDDEN, 'this connection has already entered a room');
    const grant = authSecret === undefined ? undefined : await verifyToken(authSecret, token);
    if (grant) checkGrant(grant, username, rid);
    // The await above gave another request of this connection the chance to enter first.
    if (live.uid !== null) throw new AppError(Code.FORBIDDEN, 'this connection has already entered a room');
    try {
      live.bind(toUid(username, rid), rooms.holdersPerUid);
    } catch (err) {
      if (err instanceof AppError && err.code === Code.CONFLICT) {
        throw new AppError(Code.CONFLICT, `the name "${username}" is already taken in this room`);
      }
      throw err;
    }
    live.set('rid', rid);
    live.set('username', username);
    try {
      rooms.admit(live, username, grant);
      const result = await rooms.join(live, rid, position);
      if (grant) expiry?.watch(live.id, grant.expiresAt);
      app.log.debug({ username, rid }, 'enter');
      return result;
    } catch (err) {
      rooms.forget(live);
      live.unbind();
      throw err;
    }
  });

  app.handle(routes.refresh, async ({ token }, live) => {
    if (authSecret === undefined || !expiry) throw new AppError(Code.BAD_REQUEST, 'this cluster takes no tokens (AUTH_SECRET is not set)');
    const { username } = live.settings;
    if (live.uid === null || username === undefined) throw new AppError(Code.FORBIDDEN, 'enter a room first');
    const grant = await verifyToken(authSecret, token);
    checkUser(grant, username);
    rooms.setGrant(live.id, grant);
    expiry.watch(live.id, grant.expiresAt);
    const left = rooms.roomsOf(live.id).filter((rid) => !allowsRoom(grant, rid));
    // Out of the rooms the new token does not allow, after this reply; with none left the connection closes.
    if (left.length > 0) {
      setTimeout(() => {
        for (const rid of left) rooms.kick(toUid(username, rid), { rid, reason: roomNotAllowed(rid) }, true);
      }, 0);
    }
    return { expiresAt: grant.expiresAt, left };
  });

  app.handle(routes.rooms, async (_request, live) => {
    if (live.uid === null) throw new AppError(Code.FORBIDDEN, 'enter a room first');
    return { rooms: await rooms.summaries(live) };
  });
}

/** Tells each connection 30 s before its token expires, and closes it at expiry unless it refreshed. */
function closeOnTokenExpiry(app: Application, rooms: ConnectionRooms): TokenExpiry {
  const live = (sid: string) => app.sessions.get<ChatSession>(sid);
  const expiry = new TokenExpiry({
    notice(sid, expiresAt) {
      const event: TokenExpiringEvent = { expiresAt };
      live(sid).socket.emit(Push.tokenExpiring, event);
      app.metrics.messagesDelivered(Push.tokenExpiring, 1);
    },
    expired(sid) {
      const session = live(sid);
      app.log.info({ uid: session.uid }, 'token expired: connection closed');
      rooms.close(session, { reason: TOKEN_EXPIRED });
    },
  });
  app.sessions.onClosed((session) => expiry.forget(session.id));
  return expiry;
}
