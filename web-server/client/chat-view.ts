/**
 * The chat screen: user list, message list, target selector, notices. Every text that came from a
 * user (names, room ids, messages) goes in through textContent, never as HTML.
 */
import type { ChatMessage } from '../../app/protocol';
import { EVERYONE } from './chat-connection';

export interface ChatElements {
  room: HTMLElement;
  me: HTMLElement;
  status: HTMLElement;
  banner: HTMLElement;
  users: HTMLUListElement;
  userCount: HTMLElement;
  messages: HTMLOListElement;
  target: HTMLSelectElement;
}

type NoticeKind = 'join' | 'leave' | 'info' | 'error';

/** Creates an element; `text` is set as text, so markup in it is shown, never parsed. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export class ChatView {
  private readonly users: string[] = [];
  private readonly shown = new Set<number>();

  constructor(
    private readonly els: ChatElements,
    private readonly me: string,
    rid: string,
  ) {
    els.room.textContent = rid;
    els.me.textContent = me;
    els.users.replaceChildren();
    els.messages.replaceChildren();
    this.setOnline(true);
  }

  /** Replaces the user list (on enter and re-entry). */
  setUsers(users: readonly string[]): void {
    this.users.splice(0, this.users.length, ...users);
    this.renderUsers();
  }

  addUser(user: string): void {
    if (this.users.includes(user)) return;
    this.users.push(user);
    this.renderUsers();
    this.notice(`${user} joined the room`, 'join');
  }

  removeUser(user: string): void {
    const at = this.users.indexOf(user);
    if (at < 0) return;
    this.users.splice(at, 1);
    const wasTarget = this.els.target.value === user;
    this.renderUsers();
    this.notice(`${user} left the room`, 'leave');
    if (wasTarget) this.notice(`Your next message goes to everyone (${user} left).`, 'info');
  }

  /** Shows a message once, whether it came as a push, in history or as the sender's own copy; false if shown before. */
  addMessage(message: ChatMessage): boolean {
    if (this.shown.has(message.id)) return false;
    this.shown.add(message.id);
    const isPrivate = message.target !== EVERYONE;
    const item = el('li', ['msg', isPrivate ? 'private' : '', message.from === this.me ? 'mine' : ''].filter(Boolean).join(' '));
    item.dataset.id = String(message.id);

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

  notice(text: string, kind: NoticeKind): void {
    const item = el('li', `notice ${kind}`);
    item.append(el('span', 'notice-text', text), el('time', 'time', timeFormat.format(Date.now())));
    this.append(item);
  }

  /** The banner and status while the connection is down (`detail`: why, and what happens next). */
  setOnline(online: boolean, detail = ''): void {
    this.els.status.textContent = online ? 'connected' : 'reconnecting…';
    this.els.status.className = `status ${online ? 'online' : 'offline'}`;
    this.els.banner.hidden = online;
    this.els.banner.textContent = online ? '' : `Disconnected from the chat server. Reconnecting… ${detail}`.trim();
  }

  /** Chooses the private target (from a click in the user list). */
  selectTarget(user: string): void {
    if (user !== this.me && this.users.includes(user)) this.els.target.value = user;
  }

  private renderUsers(): void {
    const items = this.users.map((user) => {
      const item = el('li', user === this.me ? 'user me' : 'user');
      const button = el('button', 'name', user);
      button.type = 'button';
      button.dataset.user = user;
      button.title = user === this.me ? 'you' : `send a private message to ${user}`;
      button.disabled = user === this.me;
      item.append(button);
      if (user === this.me) item.append(el('span', 'you', 'you'));
      return item;
    });
    this.els.users.replaceChildren(...items);
    this.els.userCount.textContent = String(this.users.length);

    const selected = this.els.target.value;
    const options = [el('option', '', 'Everyone')];
    options[0]!.value = EVERYONE;
    for (const user of this.users) {
      if (user === this.me) continue;
      const option = el('option', '', user);
      option.value = user;
      options.push(option);
    }
    this.els.target.replaceChildren(...options);
    this.els.target.value = this.users.includes(selected) && selected !== this.me ? selected : EVERYONE;
  }

  private append(item: HTMLElement): void {
    const list = this.els.messages;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
    list.append(item);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }
}
