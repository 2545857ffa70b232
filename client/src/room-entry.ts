/**
 * Putting a connection into rooms: the first with `connector.entryHandler.enter` (it binds the
 * connection to the user), any other with `chat.chatHandler.join`, each from where its log stands.
 */
import type { ChatClientError } from './errors.js';
import type { JoinedRooms } from './joined-rooms.js';
import type { EnterResult } from './protocol.js';
import * as routes from './requests.js';

export interface Entrant {
  username: string;
  token?: string;
}

/** Enters `rid` (or joins it, on a connection that entered already) from where its follower stands. */
export function enterOrJoin(link: routes.Link, rooms: JoinedRooms, rid: string, joinRoute: boolean, who: Entrant): Promise<EnterResult> {
  rooms.entering(rid);
  const position = rooms.position(rid);
  if (joinRoute) return routes.join(link, rid, position);
  return routes.enter(link, { username: who.username, rid, ...position, ...(who.token !== undefined && { token: who.token }) });
}

export interface ReEntry {
  /** Each room's reply, to apply once the connection is adopted. */
  replies: [string, EnterResult][];
  /** The last refusal (403), when a room no longer takes the user. */
  refused?: ChatClientError;
}

/**
 * A new connection after a drop: enters the first room and joins the others. A room that refuses
 * with 403 (banned, not in the token's rooms) is removed and reported through `refused`, and the
 * next one is tried; any other failure rejects (the caller tries the whole again later).
 */
export async function reEnterAll(
  link: routes.Link,
  rooms: JoinedRooms,
  who: Entrant,
  refused: (rid: string, err: ChatClientError) => void,
): Promise<ReEntry> {
  const result: ReEntry = { replies: [] };
  for (const rid of rooms.rids()) {
    try {
      result.replies.push([rid, await enterOrJoin(link, rooms, rid, result.replies.length > 0, who)]);
    } catch (err) {
      if ((err as ChatClientError).code !== 403) throw err;
      result.refused = err as ChatClientError;
      rooms.remove(rid);
      refused(rid, result.refused);
    }
  }
  return result;
}
