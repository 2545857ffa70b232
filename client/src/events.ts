/** What a ChatClient emits, by event name. */
import type { ChatClientError } from './errors.js';
import type { ReadEvent, RoomMessage as WireRoomMessage, TypingEvent, UserEvent } from './protocol.js';
import type { RetryEvent } from './retry.js';

/** A message of a room, delivered once and in `seq` order: the `onChat` push, with the log it is of. */
export interface RoomMessage extends WireRoomMessage {
  /** The room's log this `seq` is of: a log that started again (a new epoch) counts from 1 anew. */
  epoch: string;
}

/** `onAdd` (`join`) and `onLeave` (`leave`): a user's first connection entered the room, or its last one left. */
export type UserInRoomEvent = UserEvent;

/** `onTyping` (never this user's own) and `onRead` (this user on another device, or a member of a small room), as pushed. */
export type { ReadEvent, TypingEvent } from './protocol.js';

/** After a re-entry or a catch-up: `recovered: false` means some messages may be missing (the room's log was lost or trimmed). */
export interface RecoveredEvent {
  rid: string;
  recovered: boolean;
}

/**
 * - `idle`: not connected (before `connect()`);
 * - `connecting`: the first connect (gate, then connector);
 * - `connected`: on a connector (and in every room joined);
 * - `reconnecting`: the connection dropped; the next attempt starts in `retryInMs`;
 * - `closed`: for good (`close()`, a kick, or a re-entry refused with 401/403: see `error`).
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface StateEvent {
  state: ConnectionState;
  /** reconnecting: which attempt is next (1, 2, ...) and when it starts. */
  attempt?: number;
  retryInMs?: number;
  /** reconnecting: why the last attempt failed; closed: why the client gave up, if it did. */
  error?: ChatClientError;
}

/**
 * This user is out of room `rid`: a moderator removed it (kick, ban), or a re-entry after a drop was
 * refused there (403). The client stays in its other rooms; out of its last one it is closed (it must
 * not re-enter by itself). `rid` is undefined only when the server closed the whole connection.
 */
export interface KickedEvent {
  rid: string | undefined;
  reason: string;
  /** A ban: when it ends, ms since epoch. */
  until?: number;
  /** A re-entry refused (not a moderator's onKick): the refusal, with its code. */
  refused?: ChatClientError;
}

/** Where a room stands for this user on entering it: `join()`'s result, and the `rejoined` event. */
export interface RoomArrival {
  /** The users in the room, this user included (the first PRESENCE_MAX_MEMBERS of them). */
  users: string[];
  /** How many users are in the room. */
  userCount: number;
  /** The room's log: its epoch, and its last seq when it answered. */
  epoch: string;
  lastSeq: number;
  /** This user's read marker in the room, and how many messages follow it. */
  readSeq: number;
  unread: number;
}

/** Back in room `rid` after a reconnection: emitted after the messages missed there. */
export interface RejoinedEvent extends RoomArrival {
  rid: string;
}

export interface TokenRefreshedEvent {
  /** The new token's expiry, ms since epoch. */
  expiresAt: number;
}

export interface ChatClientEvents {
  message: RoomMessage;
  join: UserInRoomEvent;
  leave: UserInRoomEvent;
  typing: TypingEvent;
  read: ReadEvent;
  recovered: RecoveredEvent;
  state: StateEvent;
  kicked: KickedEvent;
  tokenRefreshed: TokenRefreshedEvent;
  rejoined: RejoinedEvent;
  /** A request was answered 503 and is asked again in `retryInMs`. */
  retry: RetryEvent;
}
