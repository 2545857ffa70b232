import { AppError, Code, type RouteFunction } from '../../game-server';
import { requestRoom } from './request-room';
import { roomServer } from './room-server';

/** The chat server of the request's room: `chats[abs(crc32(rid)) % N]`; a session that has not entered has none (403). */
export const chatRoute: RouteFunction = (session, servers, body) => {
  const rid = requestRoom(body, session);
  if (session.uid === null || rid === undefined) throw new AppError(Code.FORBIDDEN, 'enter a room first');
  return roomServer(rid, servers);
};
