import { AppError, Code, type RouteFunction } from '../../game-server';
import { roomServer } from './room-server';

/** The room's chat server: `chats[abs(crc32(rid)) % N]`; a session without a room has none (403). */
export const chatRoute: RouteFunction = (session, servers) => {
  const { rid } = session.settings;
  if (session.uid === null || typeof rid !== 'string') throw new AppError(Code.FORBIDDEN, 'enter a room first');
  return roomServer(rid, servers);
};
