import { AppError, Code, type Application, type Handler } from '../../../../game-server';
import { toUid, type ChatRemote, type ChatSession, type EnterResult } from '../../../protocol';
import { checkGrant, verifyToken } from '../../../auth/tokens';
import { parseRequest, type RequestSchemas } from '../../../validation';

/**
 * `connector.entryHandler.enter`: binds the session to `username*rid` and adds it to the room's chat
 * server. With `authSecret` (AUTH_SECRET), only with a token for that name (and room, if it lists rooms).
 */
export function createEntryHandler(app: Application, schemas: RequestSchemas, authSecret?: string): Record<string, Handler> {
  const chat = app.rpc<ChatRemote>('chat', 'chatRemote');
  return {
    async enter(body, session): Promise<EnterResult> {
      const { username, rid, token, ...position } = parseRequest(schemas.enter, body);
      const live = app.sessions.get<ChatSession>(session.id);
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
    },
  };
}
