import type { Application } from '../../../../game-server';
import { Remotes, type ModerationRemote } from '../../../protocol';
import { parseRequest, type RequestSchemas } from '../../../validation';
import type { Moderator } from '../moderation/moderator';
import type { RoomDirectory } from '../room-directory';
import { forwardWhenMoved } from './forward-when-moved';

/** `npm run admin` and the server API: kick, ban, unban, mute, unmute, on the chat server of the room. */
export function createModerationRemote(
  app: Application,
  directory: RoomDirectory,
  moderator: Moderator,
  schemas: RequestSchemas,
): ModerationRemote {
  const other = app.rpc(Remotes.moderation);
  return {
    async moderate(body, redirected = false) {
      // From a peer holding RPC_SECRET, still checked: a bad command line must not reach the store.
      const action = parseRequest(schemas.moderation, body);
      return forwardWhenMoved(
        redirected,
        async () => moderator.apply(action, await directory.locate(action.rid, { redirected }, false)),
        (serverId) => other.toServer(serverId).moderate(action, true),
      );
    },
  };
}
