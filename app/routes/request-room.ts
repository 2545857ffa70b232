import type { Session } from '../../game-server';

/** The room a `chat.*` request is about: its `rid`, or the session's first room when it names none. */
export function requestRoom(body: unknown, session: Session): string | undefined {
  const named = typeof body === 'object' && body !== null ? (body as { rid?: unknown }).rid : undefined;
  if (typeof named === 'string') return named;
  const { rid } = session.settings;
  return typeof rid === 'string' ? rid : undefined;
}
