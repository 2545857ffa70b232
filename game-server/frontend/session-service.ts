import type { Socket } from 'socket.io';
import { AppError, Code } from '../errors';
import { FrontendSession, type UidIndex } from './frontend-session';

type ClosedListener<S extends object> = (session: FrontendSession<S>) => void | Promise<void>;

const NONE: ReadonlySet<never> = new Set();

/** The sessions of one frontend server, by socket id and by the uids they hold (a uid may be held by several). */
export class SessionService<S extends object = Record<string, unknown>> implements UidIndex<S> {
  private readonly bySid = new Map<string, FrontendSession<S>>();
  private readonly byUid = new Map<string, Set<FrontendSession<S>>>();
  private readonly closedListeners: ClosedListener<S>[] = [];
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly frontendId: string) {}

  create(socket: Socket): FrontendSession<S> {
    const session = new FrontendSession<S>(this.frontendId, socket, this);
    this.bySid.set(session.id, session);
    return session;
  }

  /**
   * Forgets a session whose socket closed and tells the listeners (e.g. to leave its rooms). Its uids
   * are released after the listeners ran: they see what it held.
   */
  close(session: FrontendSession<S>): void {
    if (!this.bySid.delete(session.id)) return;
    const held = [...session.uids];
    for (const uid of held) this.release(uid, session);
    for (const listener of this.closedListeners) {
      const work = (async () => listener(session))().catch(() => undefined);
      this.closing.add(work);
      void work.finally(() => this.closing.delete(work));
    }
  }

  /** Resolves when the work started by closed sessions (see `onClosed`) has finished. */
  async drain(): Promise<void> {
    await Promise.all(this.closing);
  }

  onClosed(listener: ClosedListener<S>): void {
    this.closedListeners.push(listener);
  }

  claim(uid: string, session: FrontendSession<S>, limit: number): void {
    const holders = this.byUid.get(uid);
    if (holders?.has(session)) return;
    if (holders && holders.size >= limit) throw new AppError(Code.CONFLICT, 'this user is already connected');
    if (holders) holders.add(session);
    else this.byUid.set(uid, new Set([session]));
  }

  release(uid: string, session: FrontendSession<S>): void {
    const holders = this.byUid.get(uid);
    if (!holders?.delete(session)) return;
    if (holders.size === 0) this.byUid.delete(uid);
  }

  /** The live session behind a handler's `session` argument (frontends only). */
  get<T extends object = S>(sid: string): FrontendSession<T> {
    const session = this.bySid.get(sid);
    if (!session) throw new AppError(Code.FORBIDDEN, 'this connection is closed');
    return session as unknown as FrontendSession<T>;
  }

  /** The sessions holding `uid` (none: an empty set). */
  sessionsOf(uid: string): ReadonlySet<FrontendSession<S>> {
    return this.byUid.get(uid) ?? NONE;
  }

  get connectionCount(): number {
    return this.bySid.size;
  }

  /** Uids held by the sessions of this frontend (a chat connection holds one per room). */
  get boundCount(): number {
    return this.byUid.size;
  }
}
