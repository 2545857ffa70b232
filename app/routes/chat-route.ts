import type { RouteFunction } from '../../game-server';
import { dispatch } from '../util/dispatcher';
import { memberSession } from './member-session';

/** The room's chat server: `chats[abs(crc32(rid)) % N]`; a session without a room has none (403). */
export const chatRoute: RouteFunction = (session, servers) => dispatch(memberSession(session).settings.rid, servers);
