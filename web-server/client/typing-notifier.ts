/**
 * Tells a room that this user is typing: `typing: true` at most once every 2 s while the input has
 * text (the server pushes at most that often, and forgets a typist 8 s after the last one), and
 * `typing: false` once when the input is cleared or sent.
 */

const REPEAT_MS = 2000;

export class TypingNotifier {
  /** Rooms told `typing: true`, with when. */
  private readonly since = new Map<string, number>();

  constructor(private readonly send: (rid: string, typing: boolean) => void) {}

  /** The input of room `rid` now holds `text`. */
  input(rid: string, text: string): void {
    if (text.trim() === '') {
      this.stop(rid);
      return;
    }
    const last = this.since.get(rid);
    const now = Date.now();
    if (last !== undefined && now - last < REPEAT_MS) return;
    this.since.set(rid, now);
    this.send(rid, true);
  }

  /** Sent, cleared, or left the room: `typing: false` when the room was told `true`. */
  stop(rid: string): void {
    if (!this.since.delete(rid)) return;
    this.send(rid, false);
  }
}
