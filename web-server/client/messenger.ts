/**
 * The signed-in screen: one connection, the user's rooms beside the chat, the room in view in the
 * pane. Routes what the connection reports to each room's view, keeps the unread badges, the read
 * markers and the typing line, and remembers the rooms for a reload.
 */
import type { ChatMessage, KickEvent, ReadEvent, TypingEvent } from '../../app/protocol';
import { ChatConnection } from './chat-connection';
import type { ChatEvents, RoomArrival } from './chat-events';
import { ChatError } from './chat-error';
import { ChatView, type ChatElements } from './chat-view';
import { EVERYONE } from './cluster-access';
import { reconnectedNotice, refusedNotice, removedNotice, retryDetail } from './notices';
import { ReadTracker } from './read-tracker';
import { RoomListView } from './room-list-view';
import { RoomView } from './room-view';
import { saveSession } from './session-store';
import { TypingIndicator } from './typing-indicator';
import { TypingNotifier } from './typing-notifier';

export interface MessengerElements extends ChatElements {
  roomList: HTMLUListElement;
}

export interface MessengerHooks {
  /** The send box works (connected) or not. */
  sending(enabled: boolean): void;
  /** Signed out, removed from the last room, or refused for good: back to the login form with `message`. */
  ended(message: string): void;
}

export class Messenger {
  private readonly rooms = new Map<string, RoomView>();
  private current = '';
  private ended = false;
  private readonly connection: ChatConnection;
  private readonly view: ChatView;
  private readonly roomList: RoomListView;
  private readonly typists = new TypingIndicator((rid) => rid === this.current && this.showTyping());
  private readonly typingNotifier: TypingNotifier;
  private readonly reads: ReadTracker;
  private readonly onVisible = (): void => this.markSeen();

  constructor(
    els: MessengerElements,
    readonly username: string,
    private readonly hooks: MessengerHooks,
  ) {
    this.view = new ChatView(els, username);
    this.roomList = new RoomListView(els.roomList);
    this.connection = new ChatConnection(username, this.events());
    this.typingNotifier = new TypingNotifier((rid, typing) => this.connection.typing(rid, typing));
    this.reads = new ReadTracker(async (rid, seq) => {
      const saved = await this.connection.read(rid, seq);
      if (saved !== undefined) this.saved(rid, saved);
      return saved;
    });
    document.addEventListener('visibilitychange', this.onVisible);
  }

  get room(): RoomView | undefined {
    return this.rooms.get(this.current);
  }

  /** Enters `rids` (the first by enter, the others by join) with `current` in view; throws a ChatError when none let us in. */
  async start(rids: readonly string[], current: string): Promise<void> {
    this.current = current;
    try {
      await this.connection.start(rids);
    } catch (err) {
      this.stop();
      throw err;
    }
    if (!this.rooms.has(this.current)) this.current = this.rooms.keys().next().value ?? '';
    this.select(this.current);
    this.room?.notice(`You entered room "${this.current}" as ${this.username}.`, 'info');
  }

  /** Joins one more room and puts it in view (or only puts it in view when already in it). */
  async join(rid: string): Promise<void> {
    if (!this.rooms.has(rid)) {
      await this.connection.join(rid);
      this.rooms.get(rid)?.notice(`You joined room "${rid}".`, 'info');
    }
    this.select(rid);
  }

  leave(rid: string): void {
    if (!this.rooms.has(rid)) return;
    this.typingNotifier.stop(rid);
    if (this.rooms.size === 1) {
      this.end('');
      return;
    }
    this.connection.leave(rid);
    this.remove(rid);
  }

  select(rid: string): void {
    const room = this.rooms.get(rid);
    if (!room) return;
    if (rid !== this.current) this.typingNotifier.stop(this.current);
    this.current = rid;
    this.view.show(room);
    document.title = `${rid} · Chat`;
    this.showTyping();
    this.markSeen();
    this.persist();
  }

  /** Sends to the room in view: to everyone, or privately to `target`. */
  async send(content: string, target: string): Promise<void> {
    const room = this.room;
    if (!room) throw new ChatError('You are in no room.');
    this.typingNotifier.stop(room.rid);
    const { id, seq } = await this.connection.send(room.rid, content, target);
    // A private message reaches its target (and this user's other tabs) only: this page shows its own copy.
    if (target !== EVERYONE && room.addMessage({ id, seq, msg: content, from: this.username, target, time: Date.now() })) this.markSeen();
  }

  /** The message input changed: tell the room in view whether this user is typing. */
  input(text: string): void {
    if (this.current) this.typingNotifier.input(this.current, text);
  }

  pickTarget(user: string): void {
    const room = this.room;
    if (room) this.view.selectTarget(room, user);
  }

  signOut(): void {
    this.end('');
  }

  private events(): ChatEvents {
    return {
      entered: (rid, arrival, reentry) => this.entered(rid, arrival, reentry),
      message: (rid, message) => this.message(rid, message),
      userAdded: (rid, user) => {
        const room = this.rooms.get(rid);
        if (!room?.addUser(user)) return;
        room.notice(`${user} joined the room`, 'join');
        if (rid === this.current) this.view.renderUsers(room);
      },
      userLeft: (rid, user) => this.userLeft(rid, user),
      typing: (event: TypingEvent) => {
        if (event.user !== this.username && this.rooms.has(event.rid)) this.typists.set(event.rid, event.user, event.typing);
      },
      read: (event: ReadEvent) => {
        // Another tab or device of this user read the room: its badge follows here too.
        const room = this.rooms.get(event.rid);
        if (event.user !== this.username || !room) return;
        room.markRead(event.seq);
        this.reads.known(event.rid, event.seq);
        this.saved(event.rid, event.seq);
      },
      lost: (rid) => this.rooms.get(rid)?.notice("Some messages may be missing: the room's history could not be fully recovered.", 'error'),
      disconnected: () => {
        this.hooks.sending(false);
        this.view.setOnline(false);
        for (const room of this.rooms.values()) room.notice('Connection lost. Reconnecting…', 'error');
      },
      retrying: (error, attempt, retryInMs) => this.view.setOnline(false, retryDetail(error, attempt, retryInMs)),
      reconnected: () => {
        this.view.setOnline(true);
        this.hooks.sending(true);
        this.markSeen();
      },
      kicked: (rid, event) => this.kicked(rid, event),
      refused: (rid, error) => {
        if (rid === undefined || this.rooms.size <= 1) {
          this.end(refusedNotice(rid ?? this.current, error));
          return;
        }
        this.remove(rid);
        this.room?.notice(refusedNotice(rid, error), 'error');
      },
    };
  }

  private entered(rid: string, arrival: RoomArrival, reentry: boolean): void {
    const existing = this.rooms.get(rid);
    const room = existing ?? new RoomView(rid, this.username);
    this.rooms.set(rid, room);
    room.setUsers(arrival.users, arrival.userCount);
    room.lastSeq = Math.max(room.lastSeq, arrival.lastSeq);
    if (reentry && existing) {
      // After a re-entry the history may hold our own private messages again: only new ones count.
      const missed = arrival.history.filter((message) => this.show(room, message)).length;
      room.notice(reconnectedNotice(missed), 'info');
    } else {
      for (const message of arrival.history) room.addMessage(message);
      room.readSeq = arrival.readSeq;
      room.savedReadSeq = arrival.readSeq;
      room.unread = arrival.unread;
      this.reads.known(rid, arrival.readSeq);
    }
    if (rid === this.current) {
      this.view.show(room);
      this.markSeen();
    }
    this.renderRooms();
    this.persist();
  }

  /** Shows a message in its room; counts it as unread there unless the room is in view. False if shown before. */
  private show(room: RoomView, message: ChatMessage): boolean {
    if (!room.addMessage(message)) return false;
    this.typists.set(room.rid, message.from, false);
    if (room.rid === this.current && document.visibilityState === 'visible') this.markSeen();
    else {
      room.countUnread(message);
      this.renderRooms();
    }
    return true;
  }

  private message(rid: string, message: ChatMessage): void {
    const room = this.rooms.get(rid);
    if (room) this.show(room, message);
  }

  private userLeft(rid: string, user: string): void {
    const room = this.rooms.get(rid);
    if (!room?.removeUser(user)) return;
    this.typists.set(rid, user, false);
    room.notice(`${user} left the room`, 'leave');
    if (rid !== this.current) return;
    if (this.view.renderUsers(room) === user) room.notice(`Your next message goes to everyone (${user} left).`, 'info');
  }

  private kicked(rid: string | undefined, event: KickEvent): void {
    const message = removedNotice(rid ?? this.current, event);
    if (rid === undefined || this.rooms.size <= 1) {
      this.end(message);
      return;
    }
    this.remove(rid);
    this.room?.notice(message, 'error');
  }

  /** The room is gone from this page (left, kicked, refused); another comes into view if it was this one. */
  private remove(rid: string): void {
    this.rooms.delete(rid);
    this.typists.clear(rid);
    this.typingNotifier.stop(rid);
    this.reads.forget(rid);
    if (rid === this.current) {
      const next = this.rooms.keys().next().value;
      if (next !== undefined) this.select(next);
    }
    this.renderRooms();
    this.persist();
  }

  /** The room in view has been seen up to its last seq: badge cleared, read marker sent once things settle. */
  private markSeen(): void {
    const room = this.room;
    if (!room || document.visibilityState !== 'visible') return;
    if (room.lastSeq > 0) this.reads.seen(room.rid, room.lastSeq);
    room.markRead(room.lastSeq);
    room.unread = 0;
    this.renderRooms();
  }

  /** The server has the read marker of `rid` at `seq`. */
  private saved(rid: string, seq: number): void {
    const room = this.rooms.get(rid);
    if (!room || seq <= room.savedReadSeq) return;
    room.savedReadSeq = seq;
    this.renderRooms();
  }

  private showTyping(): void {
    this.view.setTyping(this.current ? this.typists.text(this.current) : '');
  }

  private renderRooms(): void {
    this.roomList.render(
      [...this.rooms.values()].map(({ rid, unread, savedReadSeq }) => ({ rid, unread, savedReadSeq })),
      this.current,
    );
  }

  private persist(): void {
    if (!this.ended && this.rooms.size > 0) saveSession({ username: this.username, rooms: [...this.rooms.keys()], current: this.current });
  }

  private end(message: string): void {
    if (this.ended) return;
    this.stop();
    saveSession(undefined);
    this.hooks.ended(message);
  }

  private stop(): void {
    this.ended = true;
    this.connection.close();
    this.reads.stop();
    for (const rid of this.rooms.keys()) this.typists.clear(rid);
    document.removeEventListener('visibilitychange', this.onVisible);
  }
}
