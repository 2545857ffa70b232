import { AppError, Code, type Application, type Handler } from '../../../../game-server';
import { toUid, type ChatRemote, type ChatSession, type EnterResult } from '../../../protocol';
import { parseRequest, type RequestSchemas } from '../../../validation';

/** `connector.entryHandler.enter`: binds the session to `username*rid` and adds it to the room's chat server. */
export function createEntryHandler(app: Application, schemas: RequestSchemas): Record<string, Handler> {
  const chat = app.rpc<ChatRemote>('chat', 'chatRemote');
  return {
    async enter(body, session): Promise<EnterResult> {
      const { username, rid, lastId } = parseRequest(schemas.enter, body);
      const live = app.sessions.get<ChatSession>(session.id);
      if (live.uid !== null) throw new AppError(Code.FORBIDDEN, 'this connection has already entered a room');
      const uid = toUid(username, rid);
      if (app.sessions.getByUid(uid)) throw new AppError(Code.CONFLICT, `the name "${username}" is already taken in this room`);
      live.bind(uid);
      live.set('rid', rid);
      live.set('username', username);
      try {
        const result = await chat.route(live).add(uid, app.serverId, rid, lastId);
        live.join(rid);
        live.set('inRoom', true);
        app.log.debug({ uid, rid }, 'enter');
        return result;
      } catch (err) {
        live.unbind();
        throw err;
      }
    },
  };
}
