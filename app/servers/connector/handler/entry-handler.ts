import { AppError, Code, type Application } from '../../../../game-server';
import { Push, Remotes, TOKEN_EXPIRED, toUid, type ChatSession, type TokenExpiringEvent } from '../../../protocol';
import { allowsRoom, checkGrant, checkUser, roomNotAllowed, verifyToken } from '../../../auth/tokens';
import type { ChatRoutes } from '../../../routes/client-routes';
import { kickConnection } from '../kick-connection';
import { TokenExpiry } from '../token-expiry';

/**
 * `connector.entryHandler.enter`: binds the session to `username*rid` and adds it to the room's chat
 * server. With `authSecret` (AUTH_SECRET), only with a token for that name (and room, if it lists
 * rooms), and only until the token expires: `refresh` brings the next one.
 */
export function handleEntry(app: Application, routes: ChatRoutes, authSecret?: string): void {
  const chat = app.rpc(Remotes.chat);
  const expiry = authSecret === undefined ? undefined : closeOnTokenExpiry(app);

  app.handle(routes.enter, async ({ username, rid, token, ...position }, live) => {
    if (live.uid !== null) throw new AppError(Code.FORBIDDEN, 'this connection has already entered a room');
    const grant = authSecret === undefined ? undefined : await verifyToken(authSecret, token);
    if (grant) checkGrant(grant, username, rid);
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
      if (grant) expiry?.watch(live.id, grant.expiresAt);
      app.log.debug({ uid, rid }, 'enter');
      return result;
    } catch (err) {
      live.leave(rid);
      live.unbind();
      throw err;
    }
  });

  app.handle(routes.refresh, async ({ token }, live) => {
    if (authSecret === undefined || !expiry) throw new AppError(Code.BAD_REQUEST, 'this cluster takes no tokens (AUTH_SECRET is not set)');
    const { username, rid } = live.settings;
    if (live.uid === null || username === undefined || rid === undefined) throw new AppError(Code.FORBIDDEN, 'enter a room first');
    const grant = await verifyToken(authSecret, token);
    checkUser(grant, username);
    if (allowsRoom(grant, rid)) {
      expiry.watch(live.id, grant.expiresAt);
      return { expiresAt: grant.expiresAt, left: [] };
    }
    // Out of the room the new token does not allow; having no other, the connection closes, after this reply.
    expiry.forget(live.id);
    setTimeout(() => kickConnection(app, live, { reason: roomNotAllowed(rid) }), 0);
    return { expiresAt: grant.expiresAt, left: [rid] };
  });
}

/** Tells each connection 30 s before its token expires, and closes it at expiry unless it refreshed. */
function closeOnTokenExpiry(app: Application): TokenExpiry {
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
      kickConnection(app, session, { reason: TOKEN_EXPIRED });
    },
  });
  app.sessions.onClosed((session) => expiry.forget(session.id));
  return expiry;
}
