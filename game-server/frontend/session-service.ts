import type { Socket } from 'socket.io';
import { AppError, Code } from '../errors';
import { FrontendSession, type UidIndex } from './frontend-session';

type ClosedListener<S extends object> = (session: FrontendSession<S>) => void | Promise<void>;

/** The sessions of one frontend server, by socket id and by bound uid. */
export class SessionService<S extends object = Record<string, unknown>> implements UidIndex<S> {
  private readonly bySid = new Map<string, FrontendSession<S>>();
  private readonly byUid = new Map<string, FrontendSession<S>>();
  private readonly closedListeners: ClosedListener<S>[] = [];
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly frontendId: string) {}

  create(socket: Socket): FrontendSession<S> {
    const session = new FrontendSession<S>(this.frontendId, socket, this);
    this.bySid.set(session.id, session);
    return session;
  }

  /** Forgets a session whose socket closed and tells the listeners (e.g. to leave its room). */
  close(session: FrontendSession<S>): void {
    if (!this.bySid.delete(session.id)) return;
    const { uid } = session;
    if (uid !== null && this.byUid.get(uid) === session) this.byUid.delete(uid);
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

  claim(uid: string, session: FrontendSession<S>): void {
    const holder = this.byUid.get(uid);
    if (holder && holder !== session) throw new AppError(Code.CONFLICT, 'this user is already connected');
    this.byUid.set(uid, session);
  }

  release(uid: string, session: FrontendSession<S>): void {
    if (this.byUid.get(uid) === session) this.byUid.delete(uid);
  }

  /** The live session behind a handler's `session` argument (frontends only). */
  get<T extends object = S>(sid: string): FrontendSession<T> {
    const session = this.bySid.get(sid);
    if (!session) throw new AppError(Code.FORBIDDEN, 'this connection is closed');
    return session as unknown as FrontendSession<T>;
  }

  getByUid(uid: string): FrontendSession<S> | undefined {
    return this.byUid.get(uid);
  }

  /** Bound sessions, e.g. to re-announce them to a chat server that came back. */
  boundSessions(): IterableIterator<FrontendSession<S>> {
    return this.byUid.values();
  }

  get connectionCount(): number {
    return this.bySid.size;
  }

  get boundCount(): number {
    return this.byUid.size;
  }
}
