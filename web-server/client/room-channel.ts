/**
 * One room of the connection, on the protocol side: its log followed by seq (every message once, in
 * order, gaps filled from history), and the room's other pushes held until its enter or join reply
 * has been applied, so they land after the history it brings.
 */
import { RoomLogFollower } from '../../app/client/room-log-follower';
import type { ChatMessage, EnterResult, HistoryReply, LogPosition, RoomMessage, SeqEvent } from '../../app/protocol';

/** What an enter or join reply says of the room, besides its history. */
export interface RoomArrival {
  users: string[];
  userCount: number;
  /** The history the reply brought (after a re-entry, only what came while away), oldest first. */
  history: ChatMessage[];
  lastSeq: number;
  readSeq: number;
  unread: number;
}

export interface RoomChannelIO {
  fetchHistory(rid: string, afterSeq: number, epoch: string | undefined): Promise<HistoryReply>;
  message(rid: string, message: ChatMessage): void;
  lost(rid: string): void;
}

export class RoomChannel {
  /** Pushes other than messages, waiting for the reply (undefined once it is applied). */
  private held: (() => void)[] | undefined = [];
  /** Messages delivered while a reply is applied: that reply's history. */
  private replayed?: ChatMessage[];
  private readonly follower: RoomLogFollower;

  constructor(
    readonly rid: string,
    io: RoomChannelIO,
  ) {
    this.follower = new RoomLogFollower({
      fetchHistory: (afterSeq, epoch) => io.fetchHistory(rid, afterSeq, epoch),
      deliver: (message) => (this.replayed ? this.replayed.push(message) : io.message(rid, message)),
      lost: () => io.lost(rid),
    });
  }

  /** What to send as `lastSeq` and `epoch` when entering or joining again. */
  position(): LogPosition {
    return this.follower.position();
  }

  chat(message: RoomMessage): void {
    this.follower.chat(message);
  }

  seq(event: SeqEvent): void {
    this.follower.seq(event);
  }

  /** Runs a push now, or after the reply when it has not come yet. */
  later(fn: () => void): void {
    if (this.held) this.held.push(fn);
    else fn();
  }

  /** The connection dropped: pushes wait for the next reply again. */
  suspend(): void {
    this.follower.suspend();
    this.held = [];
  }

  /** Applies an enter or join reply: `announce` sees the room first, then the pushes held meanwhile run. */
  arrive(reply: EnterResult, announce: (arrival: RoomArrival) => void): void {
    const history: ChatMessage[] = [];
    this.replayed = history;
    this.follower.entered({ messages: reply.history, epoch: reply.epoch, lastSeq: reply.lastSeq, recovered: reply.recovered });
    this.replayed = undefined;
    announce({
      users: reply.users,
      userCount: reply.userCount,
      history,
      lastSeq: reply.lastSeq,
      readSeq: reply.readSeq,
      unread: reply.unread,
    });
    const pending = this.held ?? [];
    this.held = undefined;
    for (const fn of pending) fn();
  }

  close(): void {
    this.follower.close();
    this.held = [];
  }
}
