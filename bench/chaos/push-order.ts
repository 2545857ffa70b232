/**
 * The `onChat` pushes of one client socket as they come off the wire, before RoomLogFollower reorders
 * and drops repeats: within an epoch of the room's log, seqs only rise (gaps allowed), and no seq is
 * pushed twice. Each socket is checked on its own: a re-entry (a new socket) starts afresh.
 */
import type { ChatMessage } from '../../app/protocol';

/** A breach of the order on the wire: a seq pushed twice, or one at or below the seq pushed before it. */
export interface PushBreach {
  kind: 'duplicate' | 'order';
  epoch: string;
  seq: number;
  /** The seq pushed just before (for `duplicate`, the same one or a later one). */
  after: number;
  text: string;
}

/** What an epoch not announced yet on this socket is called in a breach. */
const UNANNOUNCED = '(a new log, not announced yet)';

export class PushOrder {
  private epoch = UNANNOUNCED;
  private last?: { seq: number; id: number };
  /** The seqs pushed so far in this epoch. */
  private seqs = new Set<number>();
  /** Pushes checked, over every epoch. */
  pushes = 0;

  constructor(private readonly breach: (b: PushBreach) => void) {}

  /** The socket learned where the room's log stands (an enter or history reply, `onSeq`). */
  epochIs(epoch: string): void {
    if (epoch === this.epoch) return;
    // The pushes of a log not yet announced were of this epoch: they stay counted in it.
    if (this.epoch !== UNANNOUNCED || this.last === undefined) this.startLog();
    this.epoch = epoch;
  }

  push(message: ChatMessage): void {
    this.pushes++;
    const last = this.last;
    if (last && message.seq <= last.seq && message.id > last.id) {
      // A new log whose announcement is still on the way: a chat server that took the room over pushes
      // to the members it has added before it sends them `onSeq`. Ids rise within a room whatever
      // its log (they start from the clock), so a seq that went back with an id that went on is not a
      // reordered push but the first of a new log.
      this.startLog();
      this.epoch = UNANNOUNCED;
    } else if (this.seqs.has(message.seq)) {
      this.breach({ kind: 'duplicate', epoch: this.epoch, seq: message.seq, after: last!.seq, text: message.msg });
    } else if (last && message.seq <= last.seq) {
      this.breach({ kind: 'order', epoch: this.epoch, seq: message.seq, after: last.seq, text: message.msg });
    }
    this.seqs.add(message.seq);
    if (!this.last || message.seq > this.last.seq) this.last = { seq: message.seq, id: message.id };
  }

  private startLog(): void {
    this.last = undefined;
    this.seqs = new Set();
  }
}
