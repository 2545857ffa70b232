import type { RemoteImpl } from '../../../../game-server';
import type { ModerationRemote } from '../../../protocol';
import { parseRequest, type RequestSchemas } from '../../../validation';
import type { Moderator } from '../moderation/moderator';
import type { RoomDirectory } from '../room-directory';

/** `npm run admin` and the server API: kick, ban, unban, mute, unmute, on the chat server of the room. */
export function createModerationRemote(
  directory: RoomDirectory,
  moderator: Moderator,
  schemas: RequestSchemas,
): RemoteImpl<ModerationRemote> {
  return {
    async moderate(context, body) {
      // From a peer holding RPC_SECRET, still checked: a bad command line must not reach the store.
      const action = parseRequest(schemas.moderation, body);
      return moderator.apply(action, await directory.locate(action.rid, context, false));
    },
  };
}
