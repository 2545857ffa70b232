/**
 * One room on the page: its message list (an `<ol>` of its own, in the document while the room is in
 * view), its users, and where its reading stands (last seq, read marker, unread count).
 */
import type { ChatMessage } from '../../app/protocol';
import { EVERYONE } from './cluster-access';
import { dateTimeFormat, el, timeFormat } from './dom';

export type NoticeKind = 'join' | 'leave' | 'info' | 'error';

export class RoomView {
  readonly list = el('ol', 'messages');
  users: string[] = [];
  userCount = 0;
  /** The highest seq of the room's log this page has (shown, or known from a reply). */
  lastSeq = 0;
  /** This user's read marker in the room, as this page has moved it. */
  readSeq = 0;
  /** The read marker as the server last confirmed it (its reply to enter, join or read, or `onRead`). */
  savedReadSeq = 0;
  unread = 0;
  private readonly shown = new Map<number, { seq: number; from: string }>();

  constructor(
    readonly rid: string,
    private readonly me: string,
  ) {
    this.list.setAttribute('role', 'log');
    this.list.setAttribute('aria-live', 'polite');
    this.list.setAttribute('aria-label', `Messages in ${rid}`);
  }

  setUsers(users: readonly string[], userCount = users.length): void {
    this.users = [...users];
    this.userCount = Math.max(userCount, users.length);
  }

  /** False when the user was already listed. */
  addUser(user: string): boolean {
    if (this.users.includes(user)) return false;
    this.users.push(user);
    this.userCount++;
    return true;
  }

  /** False when the user was not listed. */
  removeUser(user: string): boolean {
    const at = this.users.indexOf(user);
    if (at < 0) return false;
    this.users.splice(at, 1);
    this.userCount = Math.max(this.users.length, this.userCount - 1);
    return true;
  }

  /** Shows a message once, whether it came as a push, in history or as the sender's own copy; false if shown before. */
  addMessage(message: ChatMessage): boolean {
    if (this.shown.has(message.id)) return false;
    this.shown.set(message.id, { seq: message.seq, from: message.from });
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    const isPrivate = message.target !== EVERYONE;
    const item = el('li', ['msg', isPrivate ? 'private' : '', message.from === this.me ? 'mine' : ''].filter(Boolean).join(' '));
    item.dataset.id = String(message.id);
    item.dataset.seq = String(message.seq);

    const meta = el('div', 'meta');
    meta.append(el('span', 'from', message.from));
    if (isPrivate) {
      meta.append(el('span', 'badge', 'private'));
      meta.append(el('span', 'to', message.from === this.me ? `to ${message.target}` : 'to you'));
    }
    const time = el('time', 'time', timeFormat.format(message.time));
    time.dateTime = new Date(message.time).toISOString();
    time.title = dateTimeFormat.format(message.time);
    meta.append(time);

    item.append(meta, el('p', 'text', message.msg));
    this.append(item);
    return true;
  }

  /** Counts a message for the unread badge: another's, after the read marker. */
  countUnread(message: ChatMessage): void {
    if (message.from !== this.me && message.seq > this.readSeq) this.unread++;
  }

  /** The read marker moved (read here, or on another device): what is left unread among the messages shown. */
  markRead(seq: number): void {
    if (seq <= this.readSeq) return;
    this.readSeq = seq;
    if (seq >= this.lastSeq) {
      this.unread = 0;
      return;
    }
    let left = 0;
    for (const { seq: shownSeq, from } of this.shown.values()) if (shownSeq > seq && from !== this.me) left++;
    this.unread = Math.min(this.unread, left);
  }

  notice(text: string, kind: NoticeKind): void {
    const item = el('li', `notice ${kind}`);
    item.append(el('span', 'notice-text', text), el('time', 'time', timeFormat.format(Date.now())));
    this.append(item);
  }

  scrollToEnd(): void {
    this.list.scrollTop = this.list.scrollHeight;
  }

  private append(item: HTMLElement): void {
    const list = this.list;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
    list.append(item);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }
}
