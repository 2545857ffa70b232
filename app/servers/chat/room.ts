import type { Channel } from '../../../game-server';
import { usernameOf, type ChatMessage, type RoomState } from '../../protocol';
import { MessageHistory } from './message-history';

/**
 * Where a new room's ids start: the clock in microseconds. A room that is recreated empty (its chat
 * server crashed) then still hands out ids above any it gave before, so a client's `lastId` stays
 * meaningful; a room would need a million messages a second to outrun it.
 */
const idBase = (): number => Date.now() * 1000;

/** One chat room on its chat server: members (a runtime channel) and recent history. */
export class Room {
  private lastId: number;
  readonly history: MessageHistory;

  constructor(
    readonly rid: string,
    readonly channel: Channel,
    historySize: number,
    state?: RoomState,
  ) {
    this.history = new MessageHistory(historySize);
    this.lastId = Math.max(idBase(), state?.lastId ?? 0);
    for (const message of state?.history ?? []) this.history.append(message);
    for (const [uid, frontendId] of state?.members ?? []) channel.add(uid, frontendId);
  }

  users(): string[] {
    return this.channel.uids().map(usernameOf);
  }

  /** Gives the message its id and time, and keeps it. */
  record(msg: string, from: string, target: string): ChatMessage {
    const message: ChatMessage = { id: ++this.lastId, msg, from, target, time: Date.now() };
    this.history.append(message);
    return message;
  }

  toState(): RoomState {
    return {
      rid: this.rid,
      lastId: this.lastId,
      members: this.channel.uids().map((uid) => [uid, this.channel.frontendOf(uid)!]),
      history: this.history.all(),
    };
  }
}
