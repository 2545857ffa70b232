/**
 * What one connection of a verifying client saw in one of its rooms: the messages the client library
 * delivered (its follower: every message once, in seq order, gaps filled from that room's history),
 * the order of that room's pushes on the current socket (PushOrder, before the follower hides anything),
 * the sends answered 200 there, and every `recovered: false` it was told.
 */
import type { ChatMessage } from '../../app/protocol';
import { PushOrder, type PushBreach } from './push-order';

/**
 * A breach of exactly once, in order. On the wire (`pushes`): one socket got a seq of a room pushed
 * twice, or one at or below the seq pushed before it, within an epoch of the room's log (see PushOrder).
 * In the `log`: one send was appended twice to one epoch (its text has two seqs).
 */
export interface Violation {
  kind: 'duplicate' | 'order';
  where: 'pushes' | 'log';
  /** The connection: the user name, with `#2` for a user's second device. */
  member: string;
  rid: string;
  epoch: string;
  seq: number;
  /** The seq pushed (or, in the log, delivered) just before. */
  after?: number;
  text: string;
}

/** A send answered 200. */
export interface AcceptedSend {
  text: string;
  seq: number;
  /** When the answer came (ms since the epoch). */
  answeredAt: number;
}

export class RoomTrack {
  /** Message text -> message, as the client library delivered them. */
  readonly seen = new Map<string, ChatMessage>();
  /** Sends of this connection in this room answered 200. */
  readonly accepted: AcceptedSend[] = [];
  /** When the room said messages may be missing (`recovered: false`). */
  readonly lostNoticeTimes: number[] = [];
  /** The order of this room's pushes on the current socket (a new socket starts afresh). */
  private wire?: PushOrder;
  /** Message text -> where the log holds it (an epoch and a seq). */
  private readonly placeOf = new Map<string, { epoch: string; seq: number }>();

  constructor(
    readonly rid: string,
    private readonly member: string,
    private readonly violation: (v: Violation) => void,
  ) {}

  /** A new socket: its pushes are checked from scratch. */
  newSocket(): void {
    this.wire = new PushOrder((breach) => this.breach(breach));
  }

  /** An `onChat` of this room as it came off the wire, before the client library's follower. */
  pushed(message: ChatMessage): void {
    this.wire?.push(message);
  }

  /** The socket learned where the room's log stands (enter, join or history reply, `onSeq`). */
  epochIs(epoch: string): void {
    this.wire?.epochIs(epoch);
  }

  breach(b: PushBreach): void {
    this.violation({ ...b, where: 'pushes', member: this.member, rid: this.rid });
  }

  /** The room said messages may be missing. */
  lost(): void {
    this.lostNoticeTimes.push(Date.now());
  }

  /** A message the client library delivered, with the epoch of the log it is of. */
  delivered(message: ChatMessage, epoch: string): void {
    // The same text at two seqs of one log: a repeated send (same clientMsgId) appended again.
    const before = this.placeOf.get(message.msg);
    if (before?.epoch === epoch && before.seq !== message.seq)
      this.violation({
        kind: 'duplicate',
        where: 'log',
        member: this.member,
        rid: this.rid,
        epoch,
        seq: message.seq,
        after: before.seq,
        text: message.msg,
      });
    this.seen.set(message.msg, message);
    this.placeOf.set(message.msg, { epoch, seq: message.seq });
  }
}
