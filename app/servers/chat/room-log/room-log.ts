import { EVERYONE, type ChatMessage, type RoomLogSnapshot } from '../../../protocol';

/** A message about to be appended: everything but its `seq`, which the log gives. */
export interface MessageDraft {
  id: number;
  msg: string;
  from: string;
  target: string;
  time: number;
  /** With `from`, makes the append idempotent while the first message is in the log. */
  clientMsgId?: string;
}

/** The right of one chat server to append to one room's log; a later claim (the room moved) voids it. */
export interface LogClaim {
  readonly rid: string;
  readonly fence: number;
  epoch: string;
  /** The last seq given and confirmed under this claim (the log's, when claimed). */
  lastSeq: number;
}

export interface AppendResult {
  message: ChatMessage;
  /** True when this was a repeat of an earlier send (same `from` and `clientMsgId`): nothing was appended. */
  duplicate: boolean;
  /** True when the log started a new epoch with this message: it had been lost, or had lost confirmed messages (Redis). */
  restarted: boolean;
}

export interface LogRead {
  epoch: string;
  /** The last seq given in this room (0 when none). */
  lastSeq: number;
  /** The oldest seq still kept (`lastSeq + 1` when nothing is kept). */
  firstSeq: number;
  /** Messages after the asked seq, oldest first, at most the asked limit. */
  messages: ChatMessage[];
}

/**
 * A room's message log: gap-free `seq` from 1, the last HISTORY_SIZE messages kept, idempotent
 * appends. Only the holder of the latest claim appends, so a room that moves between chat servers
 * never gets two writers. Implementations: memory (in the chat server) and Redis (shared, durable).
 */
export interface RoomLog {
  readonly kind: 'memory' | 'redis';
  /**
   * Makes this server the room's writer; `snapshot` is the log handed over with the room (memory only),
   * `confirmedSeq` the last seq its previous owner confirmed (a shared log that lost confirmed messages since
   * goes on after it, in a new epoch, as for its own claim: no seq is handed out twice).
   */
  claim(rid: string, snapshot: RoomLogSnapshot | null, confirmedSeq?: number): Promise<LogClaim>;
  /** Appends (or finds the earlier message for a repeated `clientMsgId`); throws LogClaimLost when another server claimed the room since. */
  append(claim: LogClaim, draft: MessageDraft): Promise<AppendResult>;
  read(rid: string, afterSeq: number, limit: number): Promise<LogRead>;
  /**
   * Moves `username`'s read marker in the room to `seq` unless it is already further; returns the
   * marker. Markers live with the log: a log that starts again (new epoch) starts with none.
   */
  markRead(rid: string, username: string, seq: number): Promise<number>;
  /** `username`'s read marker in the room (0: none). */
  readMarker(rid: string, username: string): Promise<number>;
  /** The room leaves this server: what its next owner needs (memory), or null (a shared store). */
  release(rid: string): RoomLogSnapshot | null;
  close(): Promise<void>;
}

/** The room's log was claimed by another chat server (the room moved): this one must not append. */
export class LogClaimLost extends Error {
  constructor(rid: string) {
    super(`room ${rid} is now written by another chat server`);
    this.name = 'LogClaimLost';
  }
}

/** The key under which a send is remembered for idempotence. */
export const dedupeKey = (from: string, clientMsgId: string | undefined): string | undefined =>
  clientMsgId === undefined ? undefined : `${from}\u0000${clientMsgId}`;

/** Broadcasts, and privates to or from `username`: what that user may see. */
export const visibleTo = (message: ChatMessage, username: string): boolean =>
  message.target === EVERYONE || message.target === username || message.from === username;

/** A new epoch: unique per log life, short on the wire. */
export const newEpoch = (): string => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
