/** Who is typing in each room, from `onTyping`: a name goes after 8 s without news, or when they stop or send. */

const FORGET_AFTER_MS = 8000;

export class TypingIndicator {
  private readonly typing = new Map<string, Map<string, ReturnType<typeof setTimeout>>>();

  /** `changed(rid)`: the typists of `rid` changed. */
  constructor(private readonly changed: (rid: string) => void) {}

  set(rid: string, user: string, typing: boolean): void {
    const users = this.typing.get(rid) ?? new Map<string, ReturnType<typeof setTimeout>>();
    this.typing.set(rid, users);
    clearTimeout(users.get(user));
    if (typing)
      users.set(
        user,
        setTimeout(() => this.set(rid, user, false), FORGET_AFTER_MS),
      );
    else if (!users.delete(user)) return;
    this.changed(rid);
  }

  /** Forgets a room (left). */
  clear(rid: string): void {
    for (const timer of this.typing.get(rid)?.values() ?? []) clearTimeout(timer);
    this.typing.delete(rid);
  }

  /** "ann is typing…", "ann and bob are typing…", "ann, bob and 2 others are typing…", or "". */
  text(rid: string): string {
    const users = [...(this.typing.get(rid)?.keys() ?? [])];
    if (users.length === 0) return '';
    if (users.length === 1) return `${users[0]} is typing…`;
    if (users.length === 2) return `${users[0]} and ${users[1]} are typing…`;
    const others = users.length - 2;
    return `${users[0]}, ${users[1]} and ${others} other${others === 1 ? '' : 's'} are typing…`;
  }
}
