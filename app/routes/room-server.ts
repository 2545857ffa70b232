import type { ServerInfo } from '../../game-server/config/server-info';
import { dispatch } from '../../game-server/router/dispatch';

/**
 * The chat server of room `rid`: `chats[abs(crc32(rid)) % chats.length]`. The `chat` route, the room
 * directory, the connectors' resync, the server API and `npm run admin` all ask this one function.
 */
export function roomServer(rid: string, chats: readonly ServerInfo[]): ServerInfo {
  return dispatch(rid, chats);
}
