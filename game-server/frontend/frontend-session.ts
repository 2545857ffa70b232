import type { Socket } from 'socket.io';
import { AppError, Code } from '../errors';
import type { Session } from './session';

/** Channel names live in socket.io's room namespace next to socket ids, so they get a prefix. */
export const channelRoom = (channel: string): string => `#${channel}`;

/** The uid -> session index a session registers itself in when it binds. */
export interface UidIndex<S extends object> {
  claim(uid: string, session: FrontendSession<S>): void;
  release(uid: string, session: FrontendSession<S>): void;
}

/** The live session of one client socket on a frontend server. */
export class FrontendSession<S extends object = Record<string, unknown>> implements Session<S> {
  private boundUid: string | null = null;
  private values: Partial<S> = {};

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

  /** Binds the session to a user; a session binds once, and a uid to one session of this server. */
  bind(uid: string): void {
    if (this.boundUid !== null) throw new AppError(Code.FORBIDDEN, 'this connection has already entered');
    this.index.claim(uid, this);
    this.boundUid = uid;
  }

  /** Undoes `bind` and the settings set since, for an enter that failed further on. */
  unbind(): void {
    if (this.boundUid === null) return;
    this.index.release(this.boundUid, this);
    this.boundUid = null;
    this.values = {};
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
