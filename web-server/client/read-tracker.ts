/**
 * Moves each room's read marker on the server (`chat.chatHandler.read`) to the last seq shown while
 * the room is in view: once things settle, not per message, so the marker survives a reload.
 */

const SETTLE_MS = 700;

export class ReadTracker {
  /** Per room: the seq waiting to be sent, and the highest the server has. */
  private readonly pending = new Map<string, number>();
  private readonly sent = new Map<string, number>();
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly send: (rid: string, seq: number) => Promise<number | undefined>) {}

  /** Everything up to `seq` of room `rid` has been shown. */
  seen(rid: string, seq: number): void {
    if (seq <= Math.max(this.sent.get(rid) ?? 0, this.pending.get(rid) ?? 0)) return;
    this.pending.set(rid, seq);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), SETTLE_MS);
  }

  /** The server's marker for `rid` is at least `seq` (from a reply or another device). */
  known(rid: string, seq: number): void {
    if (seq > (this.sent.get(rid) ?? 0)) this.sent.set(rid, seq);
  }

  forget(rid: string): void {
    this.pending.delete(rid);
    this.sent.delete(rid);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.pending.clear();
  }

  private async flush(): Promise<void> {
    const batch = [...this.pending];
    this.pending.clear();
    await Promise.all(
      batch.map(async ([rid, seq]) => {
        if (seq <= (this.sent.get(rid) ?? 0)) return;
        const now = await this.send(rid, seq);
        // Not sent (the connection was down): the next message shown, or re-entry, tries again.
        if (now !== undefined) this.known(rid, now);
      }),
    );
  }
}
