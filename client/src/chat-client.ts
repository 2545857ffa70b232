/**
 * ChatClient: one user on the cluster (docs/PROTOCOL.md), on one connection in any number of rooms.
 * Gate, then connector; the first room is entered (`connector.entryHandler.enter`), the others joined
 * (`chat.chatHandler.join`); every room's messages are delivered once and in seq order by its own
 * RoomLogFollower; after a drop the client goes back through the gate with backoff and jitter,
 * re-enters its first room and re-joins the others where each stood; sends that got no answer are
 * sent again with the same clientMsgId.
 */
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import { ChatClientError, isRefusal } from './errors.js';
import type { ChatClientEvents, ConnectionState, RoomArrival, StateEvent } from './events.js';
import {
  EVERYONE,
  TOKEN_EXPIRED,
  type ChatMessage,
  type EnterResult,
  type HistoryResult,
  type RoomSummary,
  type SendResult,
} from './protocol.js';
import { JoinedRooms } from './joined-rooms.js';
import type { ChatClientOptions, JoinResult, SendOptions } from './options.js';
import * as routes from './requests.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';
import { enterOrJoin, reEnterAll, type Entrant } from './room-entry.js';
import { newClientMsgId, openSocket, queryEntry, type ChatSocket, type TransportOptions } from './transport.js';
import { Waiters } from './waiters.js';

export type { ChatClientOptions, JoinResult, SendOptions } from './options.js';

/** What an enter or join reply says of the room, besides its messages. */
const arrival = (reply: EnterResult): RoomArrival => ({
  users: reply.users,
  userCount: reply.userCount,
  epoch: reply.epoch,
  lastSeq: reply.lastSeq,
  readSeq: reply.readSeq,
  unread: reply.unread,
});

export class ChatClient extends Emitter<ChatClientEvents> {
  private readonly transport: TransportOptions;
  private readonly backoff: BackoffOptions;
  private readonly sendTimeoutMs: number;
  private current: ConnectionState = 'idle';
  private socket?: ChatSocket;
  /** The socket whose session is bound to the user (it entered): further rooms are joined on it. */
  private bound?: ChatSocket;
  /** The rooms, in the order joined: the first is entered after a reconnection, the others joined. */
  private readonly joinedRooms = new JoinedRooms({
    fetchHistory: async (rid, afterSeq, epoch) => {
      const socket = this.socket;
      if (!socket?.connected) throw new ChatClientError('not connected');
      return routes.history(this.link(socket), { rid, afterSeq, ...(epoch !== undefined && { epoch }) });
    },
    message: (message) => this.emit('message', message),
    lost: (rid) => this.emit('recovered', { rid, recovered: false }),
    user: (event, rid, user) => this.emit(event, { rid, user }),
  });
  /** Joins and leaves, one at a time (the first of them on a connection must be `enter`). */
  private queue: Promise<unknown> = Promise.resolve();
  /** Rooms a join() is entering, with the result once a reconnection entered them instead. */
  private readonly joining = new Map<string, JoinResult | undefined>();
  private readonly retry: RetryOptions;
  private token?: string;
  private reconnecting = false;
  private readonly waiters = new Waiters();

  constructor(private readonly options: ChatClientOptions) {
    super();
    this.transport = {
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      transports: options.transports ?? ['websocket'],
    };
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.token = options.token;
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The first room joined, if any. */
  get rid(): string | undefined {
    return this.joinedRooms.rids()[0];
  }

  /** Every room joined, the first first. */
  get joined(): string[] {
    return this.joinedRooms.rids();
  }

  /** Gate, then connector. Rejects (and the client stays idle) when either cannot be reached. */
  async connect(): Promise<void> {
    if (this.current === 'closed') throw new ChatClientError('the client is closed');
    if (this.current !== 'idle') return;
    this.setState({ state: 'connecting' });
    try {
      await this.open();
    } catch (err) {
      // close() may have come meanwhile: only a client still connecting goes back to idle.
      if ((this.current as ConnectionState) === 'connecting') this.setState({ state: 'idle' });
      throw err;
    }
    this.setState({ state: 'connected' });
  }

  /**
   * Enters `rid` (connecting first if idle): the connection's first room is entered, any other joined.
   * A 503 is asked again (see `retry`); a connection that drops before the answer comes back through
   * the gate and enters `rid` with its other rooms, and that reply resolves this join; no connection
   * within `sendTimeoutMs` rejects.
   */
  join(rid: string): Promise<JoinResult> {
    return this.serially(async () => {
      if (this.joinedRooms.has(rid)) throw new ChatClientError(`already in room "${rid}"`, 409);
      if (this.current === 'idle') await this.connect();
      const deadline = Date.now() + this.sendTimeoutMs;
      let socket = await this.ready(undefined, deadline);
      this.joinedRooms.add(rid);
      this.joining.set(rid, undefined);
      try {
        for (;;) {
          const reentered = this.joining.get(rid);
          if (reentered) return reentered;
          try {
            const reply = await enterOrJoin(this.link(socket), this.joinedRooms, rid, this.bound === socket, this.entrant());
            if (this.socket === socket) {
              this.bound = socket;
              const result = this.applyJoin(rid, reply);
              this.waiters.wake();
              return result;
            }
            // Dropped after the answer: the reconnection enters the room again, and its reply is the one.
          } catch (err) {
            if ((err as ChatClientError).code !== undefined) throw err;
            // Unanswered: a live connection that does not answer is dropped, so that it comes back too.
            if (this.socket === socket && socket.connected) socket.disconnect();
          }
          socket = await this.ready(undefined, deadline);
          if (!this.joinedRooms.has(rid)) throw new ChatClientError(`room "${rid}" refused the entry after a reconnection`, 403);
        }
      } catch (err) {
        this.joinedRooms.remove(rid);
        throw err;
      } finally {
        this.joining.delete(rid);
      }
    });
  }

  /** Applies `rid`'s enter or join reply for join(): its messages are returned, not emitted. */
  private applyJoin(rid: string, reply: EnterResult): JoinResult {
    const history: ChatMessage[] = [];
    this.joinedRooms.apply(rid, reply, history);
    return { ...arrival(reply), history };
  }

  /** Leaves `rid`; the connection stays, in its other rooms (or in none, ready to join again). */
  leave(rid: string): Promise<void> {
    return this.serially(async () => {
      this.requireRoom(rid);
      const entered = this.joinedRooms.entered(rid);
      this.joinedRooms.remove(rid);
      const socket = this.socket;
      // Not entered on this connection: the reconnection will not join it again, nothing to tell.
      if (!entered || !socket?.connected) return;
      await routes.leave(this.link(socket), rid);
    });
  }

  /**
   * Sends to the room, or privately with `{ to }`; resolves with the message's id and seq. A send
   * that gets no answer is sent again (same clientMsgId) once the connection is back, and one answered
   * 503 after a backoff (see `retry`): delivered once. Rejects with the server's code when refused or
   * when the 503s outlast `retry`, or after `sendTimeoutMs` without a connection.
   */
  async send(rid: string, text: string, options: SendOptions = {}): Promise<SendResult> {
    this.requireRoom(rid);
    const body = { rid, content: text, target: options.to ?? EVERYONE, clientMsgId: options.clientMsgId ?? newClientMsgId() };
    const deadline = Date.now() + this.sendTimeoutMs;
    for (;;) {
      const socket = await this.ready(rid, deadline);
      try {
        const { id, seq } = await routes.send(this.link(socket), body);
        return { id, seq };
      } catch (err) {
        // Refused: final. Unanswered: again once connected, until the deadline.
        if ((err as ChatClientError).code !== undefined || Date.now() >= deadline) throw err;
      }
    }
  }

  /** The room's log after `afterSeq` (of `epoch`), oldest first; does not touch what the client has delivered. */
  async history(rid: string, query: { afterSeq?: number; epoch?: string; limit?: number } = {}): Promise<HistoryResult> {
    this.requireRoom(rid);
    const { messages, epoch, lastSeq, recovered } = await routes.history(this.link(await this.ready(rid)), { rid, ...query });
    return { messages, epoch, lastSeq, recovered };
  }

  /** Tells the room's other members this user is (or stopped) typing (`typing` events there). */
  async typing(rid: string, typing: boolean): Promise<void> {
    this.requireRoom(rid);
    await routes.typing(this.link(await this.ready(rid)), rid, typing);
  }

  /** Moves this user's read marker in `rid` to `seq` (default: the last message delivered); resolves the marker now. */
  async markRead(rid: string, seq?: number): Promise<number> {
    this.requireRoom(rid);
    const upTo = seq ?? this.joinedRooms.position(rid).lastSeq ?? 0;
    return routes.read(this.link(await this.ready(rid)), rid, upTo);
  }

  /** Where each room of this connection stands on the server: epoch, lastSeq, readSeq, unread, userCount. */
  async rooms(): Promise<RoomSummary[]> {
    return routes.rooms(this.link(await this.ready()));
  }

  /** Closes for good: disconnects, stops reconnecting, fails waiting sends. */
  close(): void {
    this.shutdown();
  }

  private shutdown(error?: ChatClientError): void {
    if (this.current === 'closed') return;
    this.joinedRooms.clear();
    const socket = this.socket;
    this.socket = undefined;
    socket?.disconnect();
    this.waiters.cancel();
    this.setState(error ? { state: 'closed', error } : { state: 'closed' });
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private link(socket: ChatSocket): routes.Link {
    const onReply = this.options.wire?.reply;
    return {
      socket,
      transport: this.transport,
      retry: this.retry,
      onRetry: (event) => this.emit('retry', event),
      ...(onReply && { onReply }),
    };
  }

  private requireRoom(rid: string): void {
    if (this.joinedRooms.has(rid)) return;
    const inRooms = this.joined.map((r) => `"${r}"`).join(', ');
    throw new ChatClientError(`not in room "${rid}"${inRooms ? ` (in ${inRooms})` : ''}`);
  }

  /** Gate, connector, and every room again (the first entered, the others joined); adopts the socket only once all of it worked. */
  private async open(): Promise<void> {
    if (this.options.tokenProvider) this.token = await this.options.tokenProvider();
    const url = await queryEntry(this.options.gate, this.options.username, this.transport);
    const socket = await openSocket(url, 'connector', this.transport);
    this.options.wire?.socket?.(socket, url);
    this.listen(socket);
    let replies: [string, EnterResult][] = [];
    try {
      const entry = await reEnterAll(this.link(socket), this.joinedRooms, this.entrant(), (rid, err) =>
        this.emit('kicked', { rid, reason: err.reason ?? err.message, refused: err }),
      );
      replies = entry.replies;
      if (this.current === 'closed' || this.current === 'idle') throw new ChatClientError('the client was closed while connecting');
      // Refused everywhere: as a kick, the client closes (it must not keep trying to come back).
      if (entry.refused && replies.length === 0) throw entry.refused;
      // Dropped between the reply and now: no 'disconnect' would reach the handler, so fail here.
      if (!socket.connected) throw new ChatClientError('the connection dropped while entering');
    } catch (err) {
      socket.disconnect();
      this.joinedRooms.suspend();
      throw err;
    }
    this.socket = socket;
    this.bound = replies.length > 0 ? socket : undefined;
    socket.on('disconnect', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.joinedRooms.suspend();
      if (this.current === 'connected') void this.reconnect();
    });
    for (const [rid, reply] of replies) {
      if (!this.joinedRooms.has(rid)) continue;
      // A join() whose connection dropped before its answer: this reply is its result.
      if (this.joining.has(rid)) {
        this.joining.set(rid, this.applyJoin(rid, reply));
        continue;
      }
      this.joinedRooms.apply(rid, reply);
      if (reply.recovered) this.emit('recovered', { rid, recovered: true });
      this.emit('rejoined', { rid, ...arrival(reply) });
    }
    this.waiters.wake();
  }

  private entrant(): Entrant {
    return { username: this.options.username, ...(this.token !== undefined && { token: this.token }) };
  }

  private listen(socket: ChatSocket): void {
    socket.on('onChat', (message) => this.joinedRooms.chat(message));
    socket.on('onSeq', (event) => this.joinedRooms.seq(event));
    socket.on('onAdd', (event) => this.joinedRooms.user('join', event));
    socket.on('onLeave', (event) => this.joinedRooms.user('leave', event));
    socket.on('onTyping', (event) => {
      if (this.joinedRooms.has(event.rid)) this.emit('typing', event);
    });
    socket.on('onRead', (event) => {
      if (this.joinedRooms.has(event.rid)) this.emit('read', event);
    });
    socket.on('onTokenExpiring', () => void this.refreshToken(socket));
    socket.on('onKick', (event) => {
      // The disconnect that follows re-enters with a new token.
      if (event.reason === TOKEN_EXPIRED && event.rid === undefined) return;
      const rid = this.joinedRooms.roomOf(event.rid) ?? event.rid;
      this.emit('kicked', { rid, reason: event.reason, ...(event.until !== undefined && { until: event.until }) });
      if (rid !== undefined) this.joinedRooms.remove(rid);
      // Out of its last room the connection is closed: a kicked user must not come back by itself.
      if (event.rid === undefined || this.joinedRooms.size === 0) this.shutdown(new ChatClientError(`kicked: ${event.reason}`, 403));
    });
  }

  private async refreshToken(socket: ChatSocket): Promise<void> {
    try {
      const token = await this.options.tokenProvider?.();
      if (token === undefined || !socket.connected) return;
      const { expiresAt } = await routes.refresh(this.link(socket), token);
      this.token = token;
      this.emit('tokenRefreshed', { expiresAt });
    } catch {
      // Not refreshed: the connector closes the connection at expiry, and reconnecting signs in again.
    }
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    try {
      let error: ChatClientError | undefined;
      for (let attempt = 1; this.current !== 'closed' && this.current !== 'idle'; attempt++) {
        const retryInMs = backoffDelay(attempt - 1, this.backoff);
        this.setState({ state: 'reconnecting', attempt, retryInMs, ...(error && { error }) });
        await this.waiters.sleep(retryInMs);
        if (this.current !== 'reconnecting') return;
        try {
          await this.open();
          this.setState({ state: 'connected' });
          return;
        } catch (err) {
          error = err instanceof ChatClientError ? err : new ChatClientError(String(err));
          if (isRefusal(error.code)) return this.shutdown(error);
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }

  /** A live socket (in room `rid` when given), waiting for a reconnection until `deadline`. */
  private async ready(rid?: string, deadline = Date.now() + this.sendTimeoutMs): Promise<ChatSocket> {
    for (;;) {
      if (this.current === 'closed') throw new ChatClientError('the client is closed');
      if (this.current === 'idle') throw new ChatClientError('not connected: call connect() first');
      if (rid !== undefined && !this.joinedRooms.has(rid)) throw new ChatClientError(`not in room "${rid}"`);
      const socket = this.socket;
      if (socket?.connected && (rid === undefined || this.joinedRooms.entered(rid))) return socket;
      const left = deadline - Date.now();
      if (left <= 0) throw new ChatClientError('not connected: the connection did not come back in time');
      await this.waiters.wait(left);
    }
  }

  private setState(event: StateEvent): void {
    this.current = event.state;
    this.emit('state', event);
    this.waiters.wake();
  }
}
