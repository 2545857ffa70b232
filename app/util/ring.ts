/** The last `capacity` items pushed, oldest first; a capacity of 0 keeps nothing. */
export class Ring<T> {
  private readonly items: T[] = [];
  private head = 0;

  constructor(readonly capacity: number) {}

  /** Adds `item`; returns the oldest item when it made room for this one. */
  push(item: T): T | undefined {
    if (this.capacity === 0) return undefined;
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return undefined;
    }
    const evicted = this.items[this.head];
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return evicted;
  }

  /** The i-th kept item, oldest first (0 <= i < size). */
  at(i: number): T {
    return this.items[(this.head + i) % this.items.length]!;
  }

  toArray(): T[] {
    return [...this.items.slice(this.head), ...this.items.slice(0, this.head)];
  }

  get size(): number {
    return this.items.length;
  }
}
