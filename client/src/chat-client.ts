/**
 * ChatClient: one user on the cluster (docs/PROTOCOL.md). Gate, then connector; one room per
 * connection (as the protocol has it today); every message delivered once and in seq order
 * (RoomLogFollower); reconnection through the gate with backoff and jitter, re-entering where it
 * stood; sends that got no answer are sent again with the same clientMsgId.
 */
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import { ChatClientError, isRefusal } from './errors.js';
import type { ChatClientEvents, ConnectionState, StateEvent } from './events.js';
import {
  EVERYONE,
  Route,
  TOKEN_EXPIRED,
  type ChatMessage,
  type EnterResult,
  type HistoryResult,
  type RefreshResult,
  type SendResult,
} from './protocol.js';
import { RoomLogFollower } from './room-log-follower.js';
import { newClientMsgId, openSocket, queryEntry, replyError, request, type ChatSocket, type TransportOptions } from './transport.js';

export interface ChatClientOptions {
  /** The gate's address, e.g. `http://127.0.0.1:3014` (https for a TLS gate). */
  gate: string;
  username: string;
  /** A sign-in token (clusters with AUTH_SECRET), used when there is no `tokenProvider`. */
  token?: string;
  /** Called before each connect and on `onTokenExpiring` (then `connector.entryHandler.refresh`). */
  tokenProvider?: () => string | undefined | Promise<string | undefined>;
  backoff?: Partial<BackoffOptions>;
  /** Default 5000. */
  requestTimeoutMs?: number;
  /** Default 5000. */
  connectTimeoutMs?: number;
  /** How long a send (or join, history) waits for the connection to come back before it fails. Default 30000. */
  sendTimeoutMs?: number;
  /** Default `['websocket']`. */
  transports?: ('websocket' | 'polling')[];
}

export interface JoinResult {
  /** Everyone in the room, this user included. */
  users: string[];
  /** The room's recent messages, oldest first (not emitted as 'message'). */
  history: ChatMessage[];
}

export interface SendOptions {
  /** A user name in the room, for a private message; default: the whole room. */
  to?: string;
  /** Default: a fresh id. Give one to make a send of your own idempotent across client restarts. */
  clientMsgId?: string;
}

interface Room {
  rid: string;
  follower: RoomLogFollower;
  /** In the room on the current connection. */
  entered: boolean;
  /** While an enter's reply is applied: its history, which the first join returns instead of emitting. */
  replayed?: ChatMessage[];
  /** onAdd/onLeave that came before the enter's reply, emitted after it. */
  held?: (() => void)[];
}

export class ChatClient extends Emitter<ChatClientEvents> {
  private readonly transport: TransportOptions;
  private readonly backoff: BackoffOptions;
  private readonly sendTimeoutMs: number;
  private current: ConnectionState = 'idle';
  private socket?: ChatSocket;
  private room?: Room;
  private token?: string;
  private reconnecting = false;
  private readonly waiters = new Set<() => void>();
  private cancelSleep?: () => void;

  constructor(private readonly options: ChatClientOptions) {
    super();
    this.transport = {
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      transports: options.transports ?? ['websocket'],
    };
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
    this.token = options.token;
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The room joined, if any. */
  get rid(): string | undefined {
    return this.room?.rid;
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
   * Enters `rid` (connecting first if idle). One room per connection for now: a second join fails
   * until the protocol has multi-room routes; `leave()` first.
   */
  async join(rid: string): Promise<JoinResult> {
    if (this.room) {
      throw new ChatClientError(
        `already in room "${this.room.rid}": one room per connection until the multi-room routes exist (leave it first)`,
      );
    }
    if (this.current === 'idle') await this.connect();
    const socket = await this.ready(false);
    const room = this.newRoom(rid);
    this.room = room;
    try {
      const reply = await this.enter(socket, room);
      const history: ChatMessage[] = [];
      room.replayed = history;
      this.applyEntry(room, reply);
      room.replayed = undefined;
      return { users: reply.users, history };
    } catch (err) {
      if (this.room === room) this.room = undefined;
      room.follower.close();
      throw err;
    }
  }

  /** Leaves the room: today that closes the connection (the protocol leaves a room on disconnect); the client is idle after. */
  async leave(rid: string): Promise<void> {
    this.requireRoom(rid);
    this.room!.follower.close();
    this.room = undefined;
    this.dropSocket();
    this.setState({ state: 'idle' });
  }

  /**
   * Sends to the room, or privately with `{ to }`; resolves with the message's id and seq. A send
   * that gets no answer is sent again (same clientMsgId) once the connection is back: delivered once.
   * Rejects with the server's code when refused, or after `sendTimeoutMs` without a connection.
   */
  async send(rid: string, text: string, options: SendOptions = {}): Promise<SendResult> {
    this.requireRoom(rid);
    const body = { rid, content: text, target: options.to ?? EVERYONE, clientMsgId: options.clientMsgId ?? newClientMsgId() };
    const deadline = Date.now() + this.sendTimeoutMs;
    for (;;) {
      const socket = await this.ready(true, deadline);
      let reply;
      try {
        reply = await request<SendResult>('connector', this.transport, (ms) => socket.timeout(ms).emitWithAck(Route.send, body));
      } catch (err) {
        if (Date.now() >= deadline) throw err;
        continue;
      }
      if (reply.code !== 200) throw replyError('chat.chatHandler.send', reply);
      return { id: reply.id, seq: reply.seq };
    }
  }

  /** The room's log after `afterSeq` (of `epoch`), oldest first; does not touch what the client has delivered. */
  async history(rid: string, query: { afterSeq?: number; epoch?: string; limit?: number } = {}): Promise<HistoryResult> {
    this.requireRoom(rid);
    const socket = await this.ready(true);
    const reply = await request<HistoryResult>('connector', this.transport, (ms) =>
      socket.timeout(ms).emitWithAck(Route.history, { rid, ...query }),
    );
    if (reply.code !== 200) throw replyError('chat.chatHandler.history', reply);
    return { messages: reply.messages, epoch: reply.epoch, lastSeq: reply.lastSeq, recovered: reply.recovered };
  }

  /** Closes for good: disconnects, stops reconnecting, fails waiting sends. */
  close(): void {
    this.shutdown();
  }

  private shutdown(error?: ChatClientError): void {
    if (this.current === 'closed') return;
    this.room?.follower.close();
    this.dropSocket();
    this.cancelSleep?.();
    this.setState(error ? { state: 'closed', error } : { state: 'closed' });
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.disconnect();
  }

  private requireRoom(rid: string): void {
    if (this.room?.rid !== rid) throw new ChatClientError(`not in room "${rid}"${this.room ? ` (in "${this.room.rid}")` : ''}`);
  }

  private newRoom(rid: string): Room {
    const room: Room = {
      rid,
      entered: false,
      follower: new RoomLogFollower({
        fetchHistory: async (afterSeq, epoch) => {
          const socket = this.socket;
          if (!socket?.connected) throw new ChatClientError('not connected');
          const reply = await request<HistoryResult>('connector', this.transport, (ms) =>
            socket.timeout(ms).emitWithAck(Route.history, { rid, afterSeq, ...(epoch !== undefined && { epoch }) }),
          );
          if (reply.code !== 200) throw replyError('chat.chatHandler.history', reply);
          return reply;
        },
        deliver: (message) => (room.replayed ? room.replayed.push(message) : this.emit('message', { ...message, rid })),
        lost: () => this.emit('recovered', { rid, recovered: false }),
      }),
    };
    return room;
  }

  /** Gate, connector, and the room again if one was joined; adopts the socket only once all of it worked. */
  private async open(): Promise<void> {
    if (this.options.tokenProvider) this.token = await this.options.tokenProvider();
    const url = await queryEntry(this.options.gate, this.options.username, this.transport);
    const socket = await openSocket(url, 'connector', this.transport);
    this.listen(socket);
    const room = this.room;
    let reply: EnterResult | undefined;
    try {
      if (room) reply = await this.enter(socket, room);
      if (this.current === 'closed' || this.current === 'idle') throw new ChatClientError('the client was closed while connecting');
      // Dropped between the reply and now: no 'disconnect' would reach the handler, so fail here.
      if (!socket.connected) throw new ChatClientError('the connection dropped while entering');
    } catch (err) {
      socket.disconnect();
      throw err;
    }
    this.socket = socket;
    socket.on('disconnect', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.room) {
        this.room.entered = false;
        this.room.follower.suspend();
      }
      if (this.current === 'connected') void this.reconnect();
    });
    if (room && reply && this.room === room) {
      this.applyEntry(room, reply);
      if (reply.recovered) this.emit('recovered', { rid: room.rid, recovered: true });
    }
    this.wake();
  }

  private async enter(socket: ChatSocket, room: Room): Promise<EnterResult> {
    room.held = [];
    const reply = await request<EnterResult>('connector', this.transport, (ms) =>
      socket.timeout(ms).emitWithAck(Route.enter, {
        username: this.options.username,
        rid: room.rid,
        ...room.follower.position(),
        ...(this.token !== undefined && { token: this.token }),
      }),
    );
    if (reply.code !== 200) throw replyError('connector.entryHandler.enter', reply);
    return reply;
  }

  /** The enter reply's history first, then the pushes that came meanwhile. */
  private applyEntry(room: Room, reply: EnterResult): void {
    room.entered = true;
    room.follower.entered({ messages: reply.history, epoch: reply.epoch, lastSeq: reply.lastSeq, recovered: reply.recovered });
    const held = room.held ?? [];
    room.held = undefined;
    for (const fn of held) fn();
    this.wake();
  }

  private listen(socket: ChatSocket): void {
    const userEvent = (event: 'join' | 'leave') => (payload: { user: string }) => {
      const room = this.room;
      if (!room) return;
      const fn = (): void => this.emit(event, { rid: room.rid, user: payload.user });
      if (room.held) room.held.push(fn);
      else fn();
    };
    socket.on('onChat', (message) => this.room?.follower.chat(message));
    socket.on('onSeq', (event) => this.room?.follower.seq(event));
    socket.on('onAdd', userEvent('join'));
    socket.on('onLeave', userEvent('leave'));
    socket.on('onTokenExpiring', () => void this.refreshToken(socket));
    socket.on('onKick', (event) => {
      // The disconnect that follows re-enters with a new token.
      if (event.reason === TOKEN_EXPIRED) return;
      const rid = this.room?.rid;
      this.emit('kicked', { rid, reason: event.reason, ...(event.until !== undefined && { until: event.until }) });
      this.shutdown(new ChatClientError(`kicked: ${event.reason}`, 403));
    });
  }

  private async refreshToken(socket: ChatSocket): Promise<void> {
    try {
      const token = await this.options.tokenProvider?.();
      if (token === undefined || !socket.connected) return;
      const reply = await request<RefreshResult>('connector', this.transport, (ms) =>
        socket.timeout(ms).emitWithAck(Route.refresh, { token }),
      );
      if (reply.code !== 200) return;
      this.token = token;
      this.emit('tokenRefreshed', { expiresAt: reply.expiresAt });
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
        await this.sleep(retryInMs);
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

  /** A live socket (in the room when `inRoom`), waiting for a reconnection until `deadline`. */
  private async ready(inRoom: boolean, deadline = Date.now() + this.sendTimeoutMs): Promise<ChatSocket> {
    for (;;) {
      if (this.current === 'closed') throw new ChatClientError('the client is closed');
      if (this.current === 'idle') throw new ChatClientError('not connected: call connect() first');
      const socket = this.socket;
      if (socket?.connected && (!inRoom || this.room?.entered)) return socket;
      const left = deadline - Date.now();
      if (left <= 0) throw new ChatClientError('not connected: the connection did not come back in time');
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }

  private wake(): void {
    for (const done of [...this.waiters]) done();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.cancelSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private setState(event: StateEvent): void {
    this.current = event.state;
    this.emit('state', event);
    this.wake();
  }
}
