/**
 * One user's connection to the cluster, in any number of rooms, on the client library
 * (chatofpomelo-client): it goes through the gate to a connector, enters the first room and joins the
 * others, follows each room's log by seq, comes back through the gate with backoff when the connection
 * drops (each room from where it stood), and sends again with the same `clientMsgId` what got no
 * answer. This turns the library's events into what the page shows, room by room: a room's reply is
 * announced before its pushes, and after a re-entry what came while away is that room's history.
 */
import { ChatClient, type ChatClientError, type StateEvent } from 'chatofpomelo-client';
import type { ChatMessage, SendResult } from '../../app/protocol';
import { asChatError, ChatError, refusedForGood, type Asking } from './chat-error';
import type { ChatEvents, RoomArrival } from './chat-events';
import { EVERYONE, fetchConfig, fetchToken, gateUrl } from './cluster-access';

const BACKOFF = { initialMs: 300, maxMs: 5000, factor: 1.6, jitter: 0.5 };

/** A room not announced to the page yet (entering, or re-entering after a drop): its events wait. */
interface Waiting {
  /** Messages delivered meanwhile: after a re-entry, the room's history. */
  messages: ChatMessage[];
  /** Its other events, run once the room is announced. */
  later: (() => void)[];
}

export class ChatConnection {
  private client?: ChatClient;
  private closed = false;
  private readonly waiting = new Map<string, Waiting>();
  /** The last send that failed, whose id a send of the same message again reuses (the server shows it once). */
  private lastFailed?: { rid: string; content: string; target: string; clientMsgId: string };

  constructor(
    readonly username: string,
    private readonly events: ChatEvents,
  ) {}

  /** The rooms this connection is in (or is entering again), in the order they were entered. */
  roomIds(): string[] {
    return this.client?.joined ?? [];
  }

  /**
   * Enters the first of `rids` and joins the others. With one room a refusal is thrown; with several,
   * a room that refuses for good is reported through `refused` and skipped. Throws when none let us in.
   */
  async start(rids: readonly string[]): Promise<void> {
    try {
      const config = await fetchConfig();
      const client = new ChatClient({
        gate: gateUrl(config),
        username: this.username,
        // A new token at each entry: the last one may have expired while the connection was up.
        tokenProvider: () => fetchToken(this.username),
        backoff: BACKOFF,
      });
      this.client = client;
      this.listen(client);
      await client.connect().catch((err: unknown) => {
        throw this.error(err, rids[0] ?? '', 'enter');
      });
      for (const rid of rids) {
        try {
          await this.enter(client, rid);
        } catch (err) {
          const error = asChatError(err);
          if (rids.length === 1 || !refusedForGood(error)) throw error;
          this.events.refused(rid, error);
        }
      }
      if (client.joined.length === 0) throw new ChatError('No room to enter.');
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** One more room on this connection. */
  async join(rid: string): Promise<void> {
    const client = this.client;
    if (client?.state !== 'connected') throw new ChatError('Not connected: try again in a moment.');
    if (client.joined.includes(rid)) throw new ChatError(`You are already in room "${rid}".`, 409);
    await this.enter(client, rid);
  }

  /** Leaves one room; leaving the last one closes the connection. */
  leave(rid: string): void {
    const client = this.client;
    if (!client?.joined.includes(rid)) return;
    if (client.joined.length === 1) {
      this.close();
      return;
    }
    // Nothing to wait for: the room is gone from this page whatever the answer.
    this.waiting.delete(rid);
    client.leave(rid).catch(() => undefined);
  }

  /** Tells the room's others that this user is typing, or stopped; best effort. */
  typing(rid: string, typing: boolean): void {
    const client = this.client;
    if (client?.state !== 'connected' || !client.joined.includes(rid)) return;
    client.typing(rid, typing).catch(() => undefined);
  }

  /** Moves the read marker of `rid` to `seq`; resolves with the marker now, or undefined when it could not. */
  async read(rid: string, seq: number): Promise<number | undefined> {
    const client = this.client;
    if (client?.state !== 'connected' || !client.joined.includes(rid)) return undefined;
    return client.markRead(rid, seq).catch(() => undefined);
  }

  /**
   * Sends to room `rid` (`'*'`) or privately to one user there; resolves with the message's id and
   * seq. The library sends again what got no answer once back (same `clientMsgId`); sending a failed
   * message again by hand reuses its id too.
   */
  async send(rid: string, content: string, target: string): Promise<SendResult> {
    const client = this.client;
    if (!client || this.closed) throw new ChatError('Not connected: your message was not sent.');
    const last = this.lastFailed;
    const again = last?.rid === rid && last.content === content && last.target === target;
    const clientMsgId = again ? last.clientMsgId : newClientMsgId();
    try {
      const result = await client.send(rid, content, { clientMsgId, ...(target !== EVERYONE && { to: target }) });
      this.lastFailed = undefined;
      return result;
    } catch (err) {
      this.lastFailed = { rid, content, target, clientMsgId };
      const error = err as ChatClientError;
      throw error.code === undefined ? new ChatError('Not connected: your message was not sent.') : this.error(err, rid, 'other');
    }
  }

  /** Leaves every room for good (no re-entry). */
  close(): void {
    this.closed = true;
    this.waiting.clear();
    this.client?.close();
  }

  /** Enters (or joins) `rid` and announces it with its history, then runs what came meanwhile. */
  private async enter(client: ChatClient, rid: string): Promise<void> {
    const waiting: Waiting = { messages: [], later: [] };
    this.waiting.set(rid, waiting);
    try {
      const { history, ...arrival } = await client.join(rid).catch((err: unknown) => {
        throw this.error(err, rid, client.joined.length === 0 ? 'enter' : 'join');
      });
      if (this.waiting.get(rid) !== waiting) return;
      this.announce(rid, { ...arrival, history: [...history, ...waiting.messages] }, false);
    } finally {
      if (this.waiting.get(rid) === waiting) this.waiting.delete(rid);
    }
  }

  private announce(rid: string, arrival: RoomArrival, reentry: boolean): void {
    const waiting = this.waiting.get(rid);
    this.waiting.delete(rid);
    this.events.entered(rid, arrival, reentry);
    for (const fn of waiting?.later ?? []) fn();
  }

  /** Runs a room's event now, or once the room is announced. */
  private inRoom(rid: string | undefined, fn: () => void): void {
    if (rid === undefined) return;
    const waiting = this.waiting.get(rid);
    if (waiting) waiting.later.push(fn);
    else fn();
  }

  private listen(client: ChatClient): void {
    client.on('message', (message) => {
      const waiting = this.waiting.get(message.rid);
      if (waiting) waiting.messages.push(message);
      else this.events.message(message.rid, message);
    });
    client.on('join', ({ rid, user }) => this.inRoom(rid, () => this.events.userAdded(rid, user)));
    client.on('leave', ({ rid, user }) => this.inRoom(rid, () => this.events.userLeft(rid, user)));
    client.on('typing', (event) => this.inRoom(event.rid, () => this.events.typing(event)));
    client.on('read', (event) => this.inRoom(event.rid, () => this.events.read(event)));
    client.on('recovered', ({ rid, recovered }) => {
      if (!recovered) this.inRoom(rid, () => this.events.lost(rid));
    });
    client.on('rejoined', ({ rid, ...arrival }) => {
      const waiting = this.waiting.get(rid);
      this.announce(rid, { ...arrival, history: waiting?.messages ?? [] }, true);
    });
    client.on('kicked', ({ rid, reason, until, refused }) => {
      if (this.closed) return;
      if (rid !== undefined) this.waiting.delete(rid);
      // Out of the last room the library closes the connection: no re-entry (a banned user would only be refused).
      if (rid === undefined || client.joined.length === 0) this.closed = true;
      if (refused) this.events.refused(rid, this.error(refused, rid ?? '', 'enter'));
      else this.events.kicked(rid, { ...(rid !== undefined && { rid }), reason, ...(until !== undefined && { until }) });
    });
    client.on('state', (event) => this.stateChanged(client, event));
  }

  private stateChanged(client: ChatClient, event: StateEvent): void {
    if (this.closed) return;
    if (event.state === 'reconnecting') {
      if (event.attempt === 1) {
        // Every room waits for its re-entry: what it missed is shown as the history it brings.
        for (const rid of client.joined) if (!this.waiting.has(rid)) this.waiting.set(rid, { messages: [], later: [] });
        this.events.disconnected('connection lost');
      }
      if (event.error) this.events.retrying(this.error(event.error, client.rid ?? '', 'enter'), event.attempt! - 1, event.retryInMs!);
    } else if (event.state === 'connected' && client.joined.length > 0) {
      this.events.reconnected();
    } else if (event.state === 'closed' && event.error) {
      // Refused for good (the sign-in is gone, no room let us in again): the connection is over.
      this.closed = true;
      this.events.refused(undefined, this.error(event.error, client.rid ?? '', 'enter'));
    }
  }

  /** A library error, worded for the page. */
  private error(err: unknown, rid: string, asking: Asking): ChatError {
    return asChatError(err, this.username, rid, asking);
  }
}

function newClientMsgId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
