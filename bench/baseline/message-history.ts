import type { ChatMessage } from '../../app/protocol';
import { visibleTo } from '../../app/servers/chat/room-log/room-log';
import { Ring } from '../../app/util/ring';

/** The baseline's history: the last `capacity` messages of one room (the cluster's is its room log). */
export class MessageHistory {
  private readonly ring: Ring<ChatMessage>;

  constructor(capacity: number) {
    this.ring = new Ring(capacity);
  }

  append(message: ChatMessage): void {
    this.ring.push(message);
  }

  /** Messages after `lastId` that `username` could have received (broadcasts, and privates to or from it), oldest first. */
  visibleAfter(lastId: number, username: string): ChatMessage[] {
    return this.all().filter((m) => m.id > lastId && visibleTo(m, username));
  }

  all(): ChatMessage[] {
    return this.ring.toArray();
  }
}
