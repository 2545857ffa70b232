/** What a ChatConnection reports to the page, room by room. */
import type { ChatMessage, KickEvent, ReadEvent, TypingEvent } from '../../app/protocol';
import type { ChatError } from './chat-error';
import type { RoomArrival as LibraryArrival } from 'chatofpomelo-client';

/** What an enter or join reply says of the room, and its history (after a re-entry, only what came while away), oldest first. */
export interface RoomArrival extends LibraryArrival {
  history: ChatMessage[];
}

export interface ChatEvents {
  /** In room `rid`, first or again (`reentry`); called before any push of the room that arrived meanwhile. */
  entered(rid: string, arrival: RoomArrival, reentry: boolean): void;
  message(rid: string, message: ChatMessage): void;
  userAdded(rid: string, user: string): void;
  userLeft(rid: string, user: string): void;
  typing(event: TypingEvent): void;
  read(event: ReadEvent): void;
  /** The room's history could not be fully recovered: some messages may be missing. */
  lost(rid: string): void;
  /** The connection dropped; re-entry has started. */
  disconnected(reason: string): void;
  /** A re-entry attempt failed; the next one starts in `retryInMs`. */
  retrying(error: ChatError, attempt: number, retryInMs: number): void;
  /** Every room is entered again after a drop. */
  reconnected(): void;
  /** Taken out of room `rid` by a moderator (or of every room: `rid` undefined; the connection is over). */
  kicked(rid: string | undefined, event: KickEvent): void;
  /** Entering room `rid` again was refused for good (a ban); undefined: the sign-in is gone, the connection is over. */
  refused(rid: string | undefined, error: ChatError): void;
}
