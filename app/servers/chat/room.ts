import type { Channel, HopTrace } from '../../../game-server';
import { EVERYONE, Push, toUid, usernameOf, type ChatMessage, type RoomMessage, type SeqEvent } from '../../protocol';
import type { LogClaim, LogRead, MessageDraft, RoomLog } from './room-log/room-log';

/**
 * Where a new room's ids start: the clock in microseconds. A room that is recreated empty (its chat
 * server crashed) then still hands out ids above any it gave before, so a client's `lastId` stays
 * meaningful; a room would need a million messages a second to outrun it.
 */
const idBase = (): number => Date.now() * 1000;

export interface Published {
  message: ChatMessage;
  duplicate: boolean;
}

/** One chat room on its chat server: members (a runtime channel) and its log (memory or Redis). */
export class Room {
  private lastId: number;
  /** Pushes happen one at a time in append order, so they leave in seq order whatever the store's latency. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The last seq pushed to the members (or pushed by the room's owner before this server claimed it). */
  private delivered: number;

  constructor(
    readonly rid: string,
    readonly channel: Channel,
    private readonly log: RoomLog,
    private readonly claim: LogClaim,
    lastId = 0,
    /** Called for each message appended and delivered (not for a repeated send). */
    private readonly onPublished: () => void = () => undefined,
  ) {
    this.lastId = Math.max(idBase(), lastId);
    this.delivered = claim.lastSeq;
  }

  /** The names of the room's users (the first `limit` of them). */
  users(limit = Infinity): string[] {
    const names: string[] = [];
    for (const uid of this.channel.uids()) {
      if (names.length >= limit) break;
      names.push(usernameOf(uid));
    }
    return names;
  }

  /** The log's head, as `onSeq` says it. */
  head(): SeqEvent {
    return { rid: this.rid, seq: this.claim.lastSeq, epoch: this.claim.epoch };
  }

  /** A message as `onChat` carries it: with its room. */
  pushed(message: ChatMessage): RoomMessage {
    return { ...message, rid: this.rid };
  }

  get currentLastId(): number {
    return this.lastId;
  }

  /**
   * Appends a message and, unless it repeats an earlier send, pushes it to who may see it (`exceptSid`:
   * the one connection that sent it and learns it from the reply). Appends are sent without waiting for
   * the one before (a store keeps one connection's commands in order); pushes follow the replies in
   * order. A log that had to start again (Redis lost it) is announced first (`onSeq`). `trace`: the
   * request's per-hop timing sample, carried by its push.
   */
  publish(draft: Omit<MessageDraft, 'id' | 'time'>, exceptSid?: string, trace?: HopTrace): Promise<Published> {
    const appended = this.log.append(this.claim, { ...draft, id: ++this.lastId, time: Date.now() });
    // Awaited below only once the appends before it are pushed: a failure before then must not count as
    // unhandled (Node ends the process on one). The step below still rejects with it.
    appended.catch(() => undefined);
    const step = this.queue.then(async (): Promise<Published> => {
      const result = await appended;
      const { seq } = result.message;
      if (result.restarted) {
        this.channel.pushMessage(Push.seq, { rid: this.rid, seq: seq - 1, epoch: this.claim.epoch } satisfies SeqEvent);
        this.delivered = seq - 1;
      }
      await this.deliverMissed(result.duplicate ? seq : seq - 1);
      if (result.duplicate) return result;
      this.lastId = Math.max(this.lastId, result.message.id);
      // Already pushed from the log, when a store ran a later append first and its push caught this one up.
      if (seq > this.delivered) {
        this.deliver(result.message, exceptSid, trace);
        this.delivered = seq;
      }
      this.onPublished();
      return result;
    });
    this.queue = step.catch(() => undefined);
    return step;
  }

  read(afterSeq: number, limit: number): Promise<LogRead> {
    return this.log.read(this.rid, afterSeq, limit);
  }

  /** Resolves once every append started so far has finished. */
  async idle(): Promise<void> {
    await this.queue;
  }

  /** A broadcast to every member; a private message to its target's and its sender's connections in the room. */
  private deliver(message: ChatMessage, exceptSid?: string, trace?: HopTrace): void {
    if (message.target === EVERYONE) return this.channel.pushMessage(Push.chat, this.pushed(message), {}, trace);
    const uids = [toUid(message.target, this.rid), toUid(message.from, this.rid)];
    this.channel.pushToMembers(Push.chat, this.pushed(message), uids, exceptSid === undefined ? {} : { exceptSid }, trace);
  }

  /**
   * Pushes, in order, the messages up to `seq` that were appended but never pushed: an append whose
   * reply was lost (a timeout after Redis ran it, or a write too few replicas confirmed) was answered
   * 503, and the client's retry finds it there or the next message comes after it.
   */
  private async deliverMissed(seq: number): Promise<void> {
    while (this.delivered < seq) {
      const { messages } = await this.log.read(this.rid, this.delivered, seq - this.delivered);
      const missed = messages.filter((m) => m.seq <= seq);
      // Gone from the log (trimmed, or a log that started again): members fill the gap from history or a new epoch.
      if (missed.length === 0) return void (this.delivered = seq);
      for (const message of missed) {
        this.deliver(message);
        this.delivered = message.seq;
      }
    }
  }
}
