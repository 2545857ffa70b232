/**
 * The chat screen around the room in view: its name, its message list in the pane, its users and the
 * target selector, who is typing, and the connection's status and banner.
 */
import { EVERYONE } from './cluster-access';
import { el } from './dom';
import type { RoomView } from './room-view';

export interface ChatElements {
  room: HTMLElement;
  me: HTMLElement;
  status: HTMLElement;
  banner: HTMLElement;
  users: HTMLUListElement;
  userCount: HTMLElement;
  /** The message list in the document: replaced by the list of the room in view. */
  messages: HTMLOListElement;
  target: HTMLSelectElement;
  typing: HTMLElement;
}

export class ChatView {
  private list: HTMLOListElement;

  constructor(
    private readonly els: ChatElements,
    private readonly me: string,
  ) {
    this.list = els.messages;
    els.me.textContent = me;
    els.room.textContent = '';
    els.users.replaceChildren();
    this.list.replaceChildren();
    this.setTyping('');
    this.setOnline(true);
  }

  /** Puts `room` in view: its messages in the pane (`#messages`), its users in the list. */
  show(room: RoomView): void {
    if (this.list !== room.list) {
      this.list.removeAttribute('id');
      this.list.replaceWith(room.list);
      this.list = room.list;
      this.list.id = 'messages';
    }
    this.els.room.textContent = room.rid;
    room.scrollToEnd();
    this.renderUsers(room);
  }

  /** Renders the users of `room`; returns the private target it had to drop (that user left), if any. */
  renderUsers(room: RoomView): string | undefined {
    const items = room.users.map((user) => {
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
    this.els.userCount.textContent = String(room.userCount);

    const selected = this.els.target.value;
    const options = [el('option', '', 'Everyone')];
    options[0]!.value = EVERYONE;
    for (const user of room.users) {
      if (user === this.me) continue;
      const option = el('option', '', user);
      option.value = user;
      options.push(option);
    }
    this.els.target.replaceChildren(...options);
    const kept = room.users.includes(selected) && selected !== this.me;
    this.els.target.value = kept ? selected : EVERYONE;
    return kept || selected === EVERYONE || selected === '' ? undefined : selected;
  }

  /** The private target, when `user` is someone else in the room in view (from a click in the user list). */
  selectTarget(room: RoomView, user: string): void {
    if (user !== this.me && room.users.includes(user)) this.els.target.value = user;
  }

  setTyping(text: string): void {
    this.els.typing.textContent = text;
    this.els.typing.classList.toggle('active', text !== '');
  }

  /** The banner and status while the connection is down (`detail`: why, and what happens next). */
  setOnline(online: boolean, detail = ''): void {
    this.els.status.textContent = online ? 'connected' : 'reconnecting…';
    this.els.status.className = `status ${online ? 'online' : 'offline'}`;
    this.els.banner.hidden = online;
    this.els.banner.textContent = online ? '' : `Disconnected from the chat server. Reconnecting… ${detail}`.trim();
  }
}
