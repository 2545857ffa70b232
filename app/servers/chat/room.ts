import type { Channel } from '../../../game-server';
import { Push, usernameOf, type ChatMessage, type RoomMessage, type SeqEvent } from '../../protocol';
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
  /** Appends run one at a time, so pushes leave in seq order whatever the store's latency. */
  private queue: Promise<unknown> = Promise.resolve();

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
   * Appends a message and, unless it repeats an earlier send, hands it to `deliver` before the next
   * message is appended. A log that had to start again (Redis lost it) is announced first (`onSeq`).
   */
  publish(draft: Omit<MessageDraft, 'id' | 'time'>, deliver: (message: ChatMessage) => void): Promise<Published> {
    const step = this.queue.then(async (): Promise<Published> => {
      const result = await this.log.append(this.claim, { ...draft, id: this.lastId + 1, time: Date.now() });
      if (result.duplicate) return result;
      this.lastId = Math.max(this.lastId, result.message.id);
      if (result.restarted) {
        this.channel.pushMessage(Push.seq, { rid: this.rid, seq: result.message.seq - 1, epoch: this.claim.epoch } satisfies SeqEvent);
      }
      deliver(result.message);
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
}
