import { EVERYONE, type ChatMessage } from '../../app/protocol';

/** The baseline's history: the last `capacity` messages of one room, in a ring (the cluster's is its room log). */
export class MessageHistory {
  private readonly ring: ChatMessage[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  append(message: ChatMessage): void {
    if (this.capacity === 0) return;
    if (this.ring.length < this.capacity) this.ring.push(message);
    else {
      this.ring[this.head] = message;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** Messages after `lastId` that `username` could have received (broadcasts, and privates to or from it), oldest first. */
  visibleAfter(lastId: number, username: string): ChatMessage[] {
    const ordered = [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)];
    return ordered.filter((m) => m.id > lastId && (m.target === EVERYONE || m.target === username || m.from === username));
  }

  all(): ChatMessage[] {
    return [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)];
  }
}
