import { AppError, Code, Moved } from '../../../../game-server';

/**
 * A remote call's "moved, pass on once": runs `here`; when the room is served elsewhere (`Moved`),
 * runs `there` on that server, unless this call was already passed on (then 503, never a loop).
 */
export async function forwardWhenMoved<T>(
  redirected: boolean,
  here: () => Promise<T>,
  there: (serverId: string) => Promise<T>,
): Promise<T> {
  try {
    return await here();
  } catch (err) {
    if (!(err instanceof Moved)) throw err;
    if (redirected) throw new AppError(Code.UNAVAILABLE, 'the room is moving; try again');
    return there(err.serverId);
  }
}
