/**
 * Every failure the client reports: `code` is the server's reply code when there was one (docs/PROTOCOL.md,
 * "Codes"), and `reason` the server's own words (its reply's `error`), for an application to show.
 */
export class ChatClientError extends Error {
  constructor(
    message: string,
    readonly code?: number,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ChatClientError';
  }
}

/** Codes after which trying again with the same sign-in is pointless: no token, not allowed. */
export const isRefusal = (code: number | undefined): boolean => code === 401 || code === 403;
