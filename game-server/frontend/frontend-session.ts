import type { Socket } from 'socket.io';
import { AppError, Code } from '../errors';
import type { Session } from './session';

/** Channel names live in socket.io's room namespace next to socket ids, so they get a prefix. */
export const channelRoom = (channel: string): string => `#${channel}`;

/** The uid -> sessions index a session registers its uids in. */
export interface UidIndex<S extends object> {
  /** Adds `session` to the holders of `uid`; 409 when `uid` already has `limit` other holders. */
  claim(uid: string, session: FrontendSession<S>, limit: number): void;
  release(uid: string, session: FrontendSession<S>): void;
}

/**
 * The live session of one client socket on a frontend server. It binds to one uid (the one its
 * requests are made as) and may hold more (`claim`): a chat connection holds one per room it is in.
 */
export class FrontendSession<S extends object = Record<string, unknown>> implements Session<S> {
  private boundUid: string | null = null;
  private values: Partial<S> = {};
  private readonly held = new Set<string>();

  constructor(
    readonly frontendId: string,
    readonly socket: Socket,
    private readonly index: UidIndex<S>,
  ) {}

  get id(): string {
    return this.socket.id;
  }

  get uid(): string | null {
    return this.boundUid;
  }

  get settings(): Readonly<Partial<S>> {
    return this.values;
  }

  /** The uids this session holds, the bound one included. */
  get uids(): ReadonlySet<string> {
    return this.held;
  }

  /** Binds the session to a user, once; `limit`: how many sessions may hold that uid at once. */
  bind(uid: string, limit = 1): void {
    if (this.boundUid !== null) throw new AppError(Code.FORBIDDEN, 'this connection has already entered');
    this.claim(uid, limit);
    this.boundUid = uid;
  }

  /** Undoes `bind`, the uids claimed and the settings set since, for an enter that failed further on. */
  unbind(): void {
    for (const uid of this.held) this.index.release(uid, this);
    this.held.clear();
    this.boundUid = null;
    this.values = {};
  }

  /** Holds one more uid: pushes to it reach this session too. */
  claim(uid: string, limit = 1): void {
    if (this.held.has(uid)) return;
    this.index.claim(uid, this, limit);
    this.held.add(uid);
  }

  /** Stops holding `uid` (the bound uid stays the session's identity for its requests). */
  release(uid: string): void {
    if (!this.held.delete(uid)) return;
    this.index.release(uid, this);
  }

  set<K extends keyof S>(key: K, value: S[K]): void {
    this.values[key] = value;
  }

  /** Receives pushes sent to `channel` from now on. */
  join(channel: string): void {
    void this.socket.join(channelRoom(channel));
  }

  leave(channel: string): void {
    void this.socket.leave(channelRoom(channel));
  }
}
