/**
 * The client side of a room's log, for the browser client, the tests and any bot: delivers each
 * message once, in `seq` order, and fills every gap from the history route. Pure logic: the caller
 * does the I/O. Gaps come from pushes lost with a process or a link, and from private messages
 * between others (they take a seq too); `onSeq` reveals a lost tail.
 */
import type { ChatMessage, HistoryReply, LogPosition } from './protocol.js';

export interface FollowerIO {
  /** Asks `chat.chatHandler.history` for what follows `afterSeq` of `epoch`; rejects when it could not. */
  fetchHistory(afterSeq: number, epoch: string | undefined): Promise<HistoryReply>;
  /** A message, exactly once, in seq order. */
  deliver(message: ChatMessage): void;
  /** The log could not be fully recovered (it started again, or messages were trimmed): some may be missing. */
  lost(): void;
}

/** How often a failed catch-up is tried again (the connection may be back, the room done moving). */
const RETRY_MS = [100, 250, 500, 1000, 2000];

export class RoomLogFollower {
  private epoch?: string;
  private lastSeq = 0;
  /** Pushes that came while away or ahead of a gap, applied after the next catch-up. */
  private held: ChatMessage[] = [];
  private away = true;
  private catchingUp = false;
  private again = false;
  private closed = false;

  /**
   * `rid`: the room followed. Given, a push that names another room (every room push carries `rid` on
   * a multi-room connection) is not this follower's and is ignored; pushes without `rid` are taken.
   */
  constructor(
    private readonly io: FollowerIO,
    readonly rid?: string,
  ) {}

  /** What to send as `lastSeq` and `epoch` when entering again. */
  position(): LogPosition {
    return this.epoch === undefined ? {} : { lastSeq: this.lastSeq, epoch: this.epoch };
  }

  /** The connection dropped: hold pushes until the next enter's reply (whose history covers those held now). */
  suspend(): void {
    this.away = true;
    this.held = [];
  }

  /** The reply of an enter or a join (the first, or again after a drop with `position()`). */
  entered(reply: HistoryReply): void {
    this.away = false;
    this.apply(reply);
  }

  chat(message: ChatMessage & { rid?: string }): void {
    if (!this.ours(message.rid)) return;
    if (this.away || this.catchingUp || message.seq > this.lastSeq + 1) {
      // Behind a gap (or while one is being filled): held; the catch-up's reply decides.
      this.held.push(message);
      if (!this.away && !this.catchingUp) this.catchUp();
      return;
    }
    if (message.seq <= this.lastSeq) return;
    this.lastSeq = message.seq;
    this.io.deliver(message);
  }

  seq(event: { seq: number; epoch: string; rid?: string }): void {
    if (!this.ours(event.rid)) return;
    if (!this.away && (event.epoch !== this.epoch || event.seq > this.lastSeq)) this.catchUp();
  }

  close(): void {
    this.closed = true;
  }

  private ours(rid: string | undefined): boolean {
    return rid === undefined || this.rid === undefined || rid === this.rid;
  }

  private apply(reply: HistoryReply): void {
    if (this.epoch !== undefined && reply.epoch !== this.epoch) {
      // The log started again and its seqs count from 1 anew. A held push may be of either log: drop
      // them all and ask again for what follows this reply (lost ones of the old log are reported below).
      this.lastSeq = 0;
      if (this.held.length > 0) this.catchUp();
      this.held = [];
    }
    if (!reply.recovered) this.io.lost();
    this.epoch = reply.epoch;
    for (const message of reply.messages) {
      if (message.seq <= this.lastSeq) continue;
      this.lastSeq = message.seq;
      this.io.deliver(message);
    }
    this.lastSeq = Math.max(this.lastSeq, reply.lastSeq);
    this.drainHeld();
    if (this.held.length > 0) this.catchUp();
  }

  /** Applies held pushes that now follow on; those behind a gap stay held. */
  private drainHeld(): void {
    this.held.sort((a, b) => a.seq - b.seq);
    let i = 0;
    for (; i < this.held.length; i++) {
      const message = this.held[i]!;
      if (message.seq <= this.lastSeq) continue;
      if (message.seq > this.lastSeq + 1) break;
      this.lastSeq = message.seq;
      this.io.deliver(message);
    }
    this.held = this.held.slice(i);
  }

  private catchUp(): void {
    if (this.catchingUp) {
      this.again = true;
      return;
    }
    this.catchingUp = true;
    void this.run();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed && !this.away) {
      this.again = false;
      const before = { seq: this.lastSeq, epoch: this.epoch };
      let reply: HistoryReply;
      try {
        reply = await this.io.fetchHistory(before.seq, before.epoch);
      } catch {
        if (failures >= RETRY_MS.length) break;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS[failures++]));
        continue;
      }
      failures = 0;
      if (this.away) break;
      this.apply(reply);
      // Stop when nothing more is wanted, or when the log did not move on (never spin on a stuck reply).
      if (!this.again || (this.lastSeq === before.seq && this.epoch === before.epoch)) break;
    }
    this.catchingUp = false;
    // A gap left behind (the loop gave up, or the connection dropped): the next push or re-entry retries.
  }
}
