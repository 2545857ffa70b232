import { Push, toUid, type TypingEvent } from '../../protocol';
import type { Room } from './room';

/** At most one `typing: true` push per user and room in this long. */
export const TYPING_PUSH_EVERY_MS = 2000;
/** A user who said nothing more for this long has stopped typing. */
export const TYPING_EXPIRES_MS = 8000;

interface Typist {
  room: Room;
  lastPush: number;
  timer: NodeJS.Timeout;
}

/**
 * Who is typing in the rooms of this chat server. Not logged and without a seq: a typing push lost
 * on the way is forgotten by the next one, or by the clients' own timeout.
 */
export class Typing {
  private readonly typists = new Map<string, Typist>();

  constructor(
    private readonly timing = { pushEveryMs: TYPING_PUSH_EVERY_MS, expiresMs: TYPING_EXPIRES_MS },
    private readonly now: () => number = Date.now,
  ) {}

  /** `username` says it is typing in `room`, or not. */
  set(room: Room, username: string, typing: boolean): void {
    if (!typing) {
      this.stopped(room, username);
      return;
    }
    const key = keyOf(room, username);
    const typist = this.typists.get(key);
    const expire = (): NodeJS.Timeout => setTimeout(() => this.stopped(room, username), this.timing.expiresMs).unref();
    if (typist) {
      clearTimeout(typist.timer);
      typist.timer = expire();
      if (this.now() - typist.lastPush < this.timing.pushEveryMs) return;
      typist.lastPush = this.now();
    } else {
      this.typists.set(key, { room, lastPush: this.now(), timer: expire() });
    }
    push(room, username, true);
  }

  /** `username` sent, left or stopped in `room`: the others see the typing end (if it had begun). */
  stopped(room: Room, username: string): void {
    const key = keyOf(room, username);
    const typist = this.typists.get(key);
    if (!typist) return;
    clearTimeout(typist.timer);
    this.typists.delete(key);
    push(typist.room, username, false);
  }

  get size(): number {
    return this.typists.size;
  }
}

const keyOf = (room: Room, username: string): string => toUid(username, room.rid);

function push(room: Room, user: string, typing: boolean): void {
  const event: TypingEvent = { rid: room.rid, user, typing };
  room.channel.pushMessage(Push.typing, event, { except: toUid(user, room.rid) });
}
