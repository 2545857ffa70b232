/**
 * One user's connection to the cluster, in any number of rooms (docs/PROTOCOL.md): the first room by
 * `enter`, the others by `join`, every push routed to its room by `rid`. When the connection drops it
 * comes back through the gate and enters and joins every room again with its `lastSeq` and `epoch`;
 * sends that got no answer are sent again with the same `clientMsgId`, so nothing is lost or shown twice.
 */
import type {
  EnterResult,
  HistoryResult,
  KickEvent,
  ReadResult,
  RefreshResult,
  Reply,
  SendResult,
  TOKEN_EXPIRED as TOKEN_EXPIRED_VALUE,
} from '../../app/protocol';
import { asChatError, ChatError, refusedForGood, replyError, type Asking } from './chat-error';
import { connect, fetchConfig, fetchToken, queryEntry, request, REQUEST_TIMEOUT_MS, ROUTE, type ChatSocket } from './cluster-access';
import { MessageSender } from './message-sender';
import { NextEntry } from './next-entry';
import type { ChatEvents } from './chat-events';
import { RoomChannel } from './room-channel';

const TOKEN_EXPIRED: typeof TOKEN_EXPIRED_VALUE = 'token expired';

const RETRY_FIRST_MS = 300;
const RETRY_MAX_MS = 5000;
/** How long a send that got no answer waits for the re-entry before it is sent again. */
const RESEND_WAIT_MS = 30_000;

export class ChatConnection {
  private socket?: ChatSocket;
  private closed = false;
  private readonly rooms = new Map<string, RoomChannel>();
  private readonly nextEntry = new NextEntry();
  private readonly sender: MessageSender;

  constructor(
    readonly username: string,
    private readonly events: ChatEvents,
  ) {
    this.sender = new MessageSender(username, {
      socket: () => this.socket,
      back: async (rid) => !this.closed && (this.socket?.connected || (await this.nextEntry.wait(RESEND_WAIT_MS))) && this.rooms.has(rid),
    });
  }

  /** The rooms this connection is in (or is entering again), in the order they were entered. */
  roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  /**
   * Enters the first of `rids` and joins the others. With one room a refusal is thrown; with several,
   * a room that refuses for good is reported through `refused` and skipped. Throws when none let us in.
   */
  async start(rids: readonly string[]): Promise<void> {
    for (const rid of rids) if (!this.rooms.has(rid)) this.rooms.set(rid, this.channel(rid));
    try {
      await this.enterAll(false, rids.length > 1);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** One more room on this connection. */
  async join(rid: string): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected) throw new ChatError('Not connected: try again in a moment.');
    if (this.rooms.has(rid)) throw new ChatError(`You are already in room "${rid}".`, 409);
    const channel = this.channel(rid);
    this.rooms.set(rid, channel);
    try {
      const reply = await this.ask(socket, rid, 'join');
      if (this.rooms.get(rid) === channel) channel.arrive(reply, (arrival) => this.events.entered(rid, arrival, false));
    } catch (err) {
      if (this.rooms.get(rid) === channel) this.drop(rid);
      throw err;
    }
  }

  /** Leaves one room; leaving the last one closes the connection. */
  leave(rid: string): void {
    if (!this.rooms.has(rid)) return;
    this.drop(rid);
    if (this.rooms.size === 0) {
      this.close();
      return;
    }
    // Nothing to wait for: the room is gone from this page whatever the answer.
    void this.socket
      ?.timeout(REQUEST_TIMEOUT_MS)
      .emitWithAck(ROUTE.leave, { rid })
      .catch(() => undefined);
  }

  /** Tells the room's others that this user is typing, or stopped; best effort. */
  typing(rid: string, typing: boolean): void {
    if (!this.socket?.connected || !this.rooms.has(rid)) return;
    void this.socket
      .timeout(REQUEST_TIMEOUT_MS)
      .emitWithAck(ROUTE.typing, { rid, typing })
      .catch(() => undefined);
  }

  /** Moves the read marker of `rid` to `seq`; resolves with the marker now, or undefined when it could not. */
  async read(rid: string, seq: number): Promise<number | undefined> {
    const socket = this.socket;
    if (!socket?.connected || !this.rooms.has(rid)) return undefined;
    const reply = await request<Reply<ReadResult>>('connector', () =>
      socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.read, { rid, seq }),
    ).catch(() => undefined);
    return reply?.code === 200 ? reply.readSeq : undefined;
  }

  /**
   * Sends to room `rid` (`'*'`) or privately to one user there; resolves with the message's id and
   * seq. A send that gets no answer is sent again after the re-entry with the same `clientMsgId`.
   */
  send(rid: string, content: string, target: string): Promise<SendResult> {
    return this.sender.send(rid, content, target);
  }

  /** Leaves every room for good (no re-entry). */
  close(): void {
    this.closed = true;
    for (const rid of this.roomIds()) this.drop(rid);
    const socket = this.socket;
    this.socket = undefined;
    socket?.disconnect();
  }

  private channel(rid: string): RoomChannel {
    return new RoomChannel(rid, {
      fetchHistory: async (room, afterSeq, epoch) => {
        const socket = this.socket;
        if (!socket?.connected) throw new ChatError('Not connected.');
        const reply = await request<Reply<HistoryResult>>('connector', () =>
          socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.history, { rid: room, afterSeq, ...(epoch !== undefined && { epoch }) }),
        );
        if (reply.code !== 200) throw replyError(reply, this.username, room);
        return reply;
      },
      message: (room, message) => this.events.message(room, message),
      lost: (room) => this.events.lost(room),
    });
  }

  private drop(rid: string): void {
    this.rooms.get(rid)?.close();
    this.rooms.delete(rid);
  }

  /** `enter` (the connection's first room) or `join` (one more), from where the room's log stands. */
  private async ask(socket: ChatSocket, rid: string, asking: Exclude<Asking, 'other'>, token?: string): Promise<EnterResult> {
    const position = this.rooms.get(rid)?.position() ?? {};
    const reply = await request<Reply<EnterResult>>('connector', () =>
      asking === 'enter'
        ? socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.enter, {
            username: this.username,
            rid,
            ...position,
            ...(token !== undefined && { token }),
          })
        : socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.join, { rid, ...position }),
    );
    if (reply.code !== 200) throw replyError(reply, this.username, rid, asking);
    return reply;
  }

  /**
   * Through the gate to a connector, then `enter` into the first room that lets us in and `join` into
   * the others. `skipRefused`: a room that refuses for good is dropped and reported, not thrown.
   */
  private async enterAll(reentry: boolean, skipRefused: boolean): Promise<void> {
    const config = await fetchConfig();
    // A new token at each entry: the last one may have expired while the connection was up.
    const token = await fetchToken(this.username);
    const entry = await queryEntry(config.gate, this.username);
    const socket = await connect(entry.host, entry.port, 'connector');
    this.listen(socket);
    const refuse = (rid: string, err: unknown): void => {
      const error = asChatError(err);
      if (!skipRefused || !refusedForGood(error)) throw error;
      this.drop(rid);
      this.events.refused(rid, error);
    };
    try {
      let first: { rid: string; reply: EnterResult } | undefined;
      for (const rid of this.roomIds()) {
        try {
          first = { rid, reply: await this.ask(socket, rid, 'enter', token) };
          break;
        } catch (err) {
          refuse(rid, err);
        }
      }
      if (this.closed) throw new ChatError('Left the room.');
      if (!first) throw new ChatError('No room to enter.');
      // Dropped between the reply and now: no 'disconnect' would reach the handler, so say so here.
      if (!socket.connected) throw new ChatError('The connection dropped while entering. Try again in a moment.');
      this.socket = socket;
      socket.on('disconnect', (reason) => this.dropped(socket, reason));
      const { rid, reply } = first;
      this.rooms.get(rid)?.arrive(reply, (arrival) => this.events.entered(rid, arrival, reentry));
      const others = this.roomIds().filter((other) => other !== rid);
      await Promise.all(
        others.map(async (other) => {
          try {
            const joined = await this.ask(socket, other, 'join');
            this.rooms.get(other)?.arrive(joined, (arrival) => this.events.entered(other, arrival, reentry));
          } catch (err) {
            refuse(other, err);
          }
        }),
      );
    } catch (err) {
      // Leave nothing half-open behind: a session left on the connector would hold the name.
      if (this.socket === socket) this.socket = undefined;
      socket.disconnect();
      for (const channel of this.rooms.values()) channel.suspend();
      throw err;
    }
  }

  private listen(socket: ChatSocket): void {
    socket.on('onChat', (message) => this.rooms.get(message.rid)?.chat(message));
    socket.on('onSeq', (event) => this.rooms.get(event.rid)?.seq(event));
    socket.on('onAdd', ({ rid, user }) => this.rooms.get(rid)?.later(() => this.events.userAdded(rid, user)));
    socket.on('onLeave', ({ rid, user }) => this.rooms.get(rid)?.later(() => this.events.userLeft(rid, user)));
    socket.on('onTyping', (event) => this.rooms.get(event.rid)?.later(() => this.events.typing(event)));
    socket.on('onRead', (event) => this.rooms.get(event.rid)?.later(() => this.events.read(event)));
    // The token runs out in 30 s: a new one from the web server, before the connector closes the connection.
    socket.on('onTokenExpiring', () => void this.refreshToken(socket));
    socket.on('onKick', (event) => this.kicked(event));
  }

  private kicked(event: KickEvent): void {
    if (this.closed) return;
    if (event.rid === undefined) {
      // Not a moderator's doing: the disconnect that follows re-enters with a new token.
      if (event.reason === TOKEN_EXPIRED) return;
      this.closed = true;
      for (const rid of this.roomIds()) this.drop(rid);
      this.events.kicked(undefined, event);
      return;
    }
    if (!this.rooms.has(event.rid)) return;
    this.drop(event.rid);
    // The server closes a connection left in no room: no re-entry then (a banned user would only be refused).
    if (this.rooms.size === 0) this.closed = true;
    this.events.kicked(event.rid, event);
  }

  private dropped(socket: ChatSocket, reason: string): void {
    if (this.closed || this.socket !== socket) return;
    this.socket = undefined;
    for (const channel of this.rooms.values()) channel.suspend();
    this.events.disconnected(reason);
    void this.reenter();
  }

  private async reenter(): Promise<void> {
    let wait = RETRY_FIRST_MS;
    for (let attempt = 1; !this.closed; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, attempt === 1 ? 0 : wait));
      if (this.closed) return;
      try {
        await this.enterAll(true, true);
        this.events.reconnected();
        this.nextEntry.arrived();
        return;
      } catch (err) {
        if (this.closed) return;
        const error = asChatError(err);
        // Trying again would only be refused again (401: the sign-in is gone; no room let us in).
        if (error.code === 401 || refusedForGood(error) || this.rooms.size === 0) {
          this.close();
          this.events.refused(undefined, error);
          return;
        }
        if (attempt > 1) wait = Math.min(RETRY_MAX_MS, Math.round(wait * 1.6));
        this.events.retrying(error, attempt, wait);
      }
    }
  }

  private async refreshToken(socket: ChatSocket): Promise<void> {
    let reply: Reply<RefreshResult>;
    try {
      const token = await fetchToken(this.username);
      if (token === undefined) return;
      reply = await request<Reply<RefreshResult>>('connector', () =>
        socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(ROUTE.refresh, { token }),
      );
    } catch {
      // Not refreshed: the connector closes the connection at expiry, and re-entry signs in again.
      return;
    }
    if (reply.code !== 200) return;
    // Rooms the new sign-in no longer allows: the connector took the connection out of them.
    for (const rid of reply.left) this.kicked({ rid, reason: 'your sign-in no longer allows this room' });
  }
}
