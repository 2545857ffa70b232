import type { Channel } from '../../../game-server';
import { usernameOf, type ChatMessage } from '../../protocol';
import { MessageHistory } from './message-history';

/** One chat room on its chat server: members (a runtime channel) and recent history. */
export class Room {
  private lastId = 0;
  readonly history: MessageHistory;

  constructor(
    readonly rid: string,
    readonly channel: Channel,
    historySize: number,
  ) {
    this.history = new MessageHistory(historySize);
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
}
