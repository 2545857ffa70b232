/** How long before a connection's token expires it is told (`onTokenExpiring`). */
export const TOKEN_NOTICE_MS = 30_000;
/** setTimeout's longest delay: a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TokenExpiryEvents {
  /** The token of connection `sid` expires at `expiresAt` (ms since epoch), `noticeMs` from now or sooner. */
  notice(sid: string, expiresAt: number): void;
  /** It expired without a refresh. */
  expired(sid: string): void;
}

/**
 * The deadline of each connection's token: a notice `noticeMs` before it, then the expiry. One timer
 * per connection at a time; `watch` again (a refresh) moves the deadline.
 */
export class TokenExpiry {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly events: TokenExpiryEvents,
    private readonly noticeMs = TOKEN_NOTICE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Watches connection `sid` until `expiresAt`, instead of any earlier deadline. */
  watch(sid: string, expiresAt: number): void {
    this.forget(sid);
    const expire = (): void => {
      this.timers.delete(sid);
      this.events.expired(sid);
    };
    const notice = (): void => {
      this.events.notice(sid, expiresAt);
      this.arm(sid, expiresAt, expire);
    };
    // Never before the current request's reply: a timer, even when the notice is due now.
    this.arm(sid, Math.max(this.now(), expiresAt - this.noticeMs), notice);
  }

  forget(sid: string): void {
    clearTimeout(this.timers.get(sid));
    this.timers.delete(sid);
  }

  get size(): number {
    return this.timers.size;
  }

  private arm(sid: string, at: number, fire: () => void): void {
    const delay = Math.max(0, at - this.now());
    const timer = delay > MAX_TIMER_MS ? setTimeout(() => this.arm(sid, at, fire), MAX_TIMER_MS) : setTimeout(fire, delay);
    timer.unref();
    this.timers.set(sid, timer);
  }
}
