import type { Application } from '../../../../game-server';
import { Remotes, type ModerationRemote } from '../../../protocol';
import { parseRequest, type RequestSchemas } from '../../../validation';
import type { Moderator } from '../moderation/moderator';
import type { RoomLocator } from '../room-locator';

/** `npm run admin` and the server API: kick, ban, unban, mute, unmute, on the chat server of the room. */
export function createModerationRemote(
  app: Application,
  locator: RoomLocator,
  moderator: Moderator,
  schemas: RequestSchemas,
): ModerationRemote {
  const other = app.rpc(Remotes.moderation);
  return {
    async moderate(body, redirected = false) {
      // From a peer holding RPC_SECRET, still checked: a bad command line must not reach the store.
      const action = parseRequest(schemas.moderation, body);
      const where = await locator.locate(action.rid, redirected, false);
      if (where && 'serverId' in where) return other.toServer(where.serverId).moderate(action, true);
      return moderator.apply(action, where?.room);
    },
  };
}
