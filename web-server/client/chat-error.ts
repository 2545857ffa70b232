/** Why something failed, worded for the person in front of the page. */

/** `code` is the reply's code when there was one. */
export class ChatError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'ChatError';
  }
}

/** What was asked, to word a refusal: entering under a name, or joining one more room. */
export type Asking = 'enter' | 'join' | 'other';

export function replyError(reply: { code: number; error?: string }, username: string, rid: string, asking: Asking = 'other'): ChatError {
  const reason = reply.error ?? 'no reason given';
  switch (reply.code) {
    case 409:
      return asking === 'join'
        ? new ChatError(`You are already in room "${rid}".`, 409)
        : new ChatError(`The name "${username}" is already taken in room "${rid}". Choose another name.`, 409);
    case 400:
      return new ChatError(`Not accepted: ${reason}.`, 400);
    case 401:
      return new ChatError(`Sign-in needed: ${reason}.`, 401);
    case 403:
      return new ChatError(`Not allowed: ${reason}.`, 403);
    case 429:
      return new ChatError('Too many messages at once: wait a moment, then try again.', 429);
    case 503:
      return new ChatError(`The chat service is unavailable right now: ${reason}. Try again in a moment.`, 503);
    default:
      return new ChatError(`The chat server answered ${reply.code}: ${reason}.`, reply.code);
  }
}

/** A refusal that asking again will not change (a ban, a room the sign-in excludes, a bad room name). */
export function refusedForGood(error: ChatError): boolean {
  return error.code === 400 || error.code === 403 || error.code === 404;
}

/**
 * Any failure as a ChatError for the page. A refusal of the client library (a ChatClientError with the
 * server's code and reason) is worded as the server's reply is, for `username` in room `rid`; one
 * without a code (unreachable, no answer) says what could not be reached.
 */
export function asChatError(err: unknown, username = '', rid = '', asking: Asking = 'other'): ChatError {
  if (err instanceof ChatError) return err;
  if (!(err instanceof Error)) return new ChatError(`Something went wrong: ${String(err)}`);
  const { code, reason } = err as Error & { code?: number; reason?: string };
  if (code !== undefined) return replyError({ code, error: reason ?? err.message }, username, rid, asking);
  const unreachable = /^cannot reach the (gate|connector) at .*?\/\/(.+?):/.exec(err.message);
  if (unreachable?.[1] === 'gate') {
    return new ChatError(`The chat server is not reachable (gate at ${unreachable[2]}). It may be down; try again in a moment.`);
  }
  if (unreachable) return new ChatError(`The chat server is not reachable (connector at ${unreachable[2]}). Try again in a moment.`);
  if (/did not answer/.test(err.message)) return new ChatError('The chat server did not answer in time. Try again in a moment.');
  return new ChatError(`Something went wrong: ${err.message}`);
}
