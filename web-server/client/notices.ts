/** The longer sentences the page says in a room's stream or under the login form. */
import type { KickEvent } from '../../app/protocol';

/** After a re-entry: how many messages came while away (they are above). */
export function reconnectedNotice(missed: number): string {
  if (missed === 0) return 'Reconnected. You missed nothing.';
  return `Reconnected. ${missed} message${missed === 1 ? '' : 's'} from while you were away ${missed === 1 ? 'is' : 'are'} above.`;
}

/** A moderator took this user out of room `rid`; a ban says until when. */
export function removedNotice(rid: string, { reason, until }: KickEvent): string {
  const banned = until === undefined ? '' : ` You may enter again after ${new Date(until).toLocaleString()}.`;
  return `You were removed from room "${rid}": ${reason}.${banned}`;
}

/** Entering room `rid` again was refused for good. */
export function refusedNotice(rid: string, error: Error): string {
  return `Could not enter room "${rid}" again: ${error.message}`;
}

/** Why a re-entry attempt failed, and when the next one comes (for the banner). */
export function retryDetail(error: Error & { code?: number }, attempt: number, retryInMs: number): string {
  // A 409 here is our own previous session, which the server has not let go of yet.
  const why = error.code === 409 ? 'The server still holds your previous connection.' : error.message;
  return `Attempt ${attempt} failed: ${why} Next try in ${Math.ceil(retryInMs / 1000)} s.`;
}
