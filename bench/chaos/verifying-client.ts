import type { ChatMessage } from '../../app/protocol';
import {
  ChatClient,
  type ChatClientError,
  type ChatSocket,
  type JoinResult,
  type RoomMessage,
  type StateEvent,
} from '../../client/src/index';
import type { PushBreach } from './push-order';
import { RoomTrack, type AcceptedSend, type Violation } from './room-track';
import { sleep } from '../../game-server/sleep';

export type { AcceptedSend, Violation } from './room-track';

/** How long a client that dropped may take to get back in before `settled()` gives up on it. */
const REENTRY_TIMEOUT_MS = 45_000;
/** How long a send waits for a lost connection to come back. */
const SEND_TIMEOUT_MS = 15_000;
/**
 * The library's backoff with jitter, capped low: a re-entry waits for the gate, then the connector, then
 * the chat servers to come back, and a longer cap adds up to a delay at each (the re-entry times in the
 * report measure the cluster, not the client's patience).
 */
const REENTRY_BACKOFF = { initialMs: 100, maxMs: 250, factor: 2, jitter: 0.5 };

export interface VerifyingClientOptions {
  /** How long (re-)entering may fail before `enter` gives up (default 15 s). */
  enterTimeoutMs?: number;
  /** Called for each message as it is delivered (once, in seq order, per room). */
  onDeliver?: (message: RoomMessage, client: VerifyingClient) => void;
  /** A sign-in token for each (re-)entry (clusters with AUTH_SECRET). */
  token?: () => string | Promise<string>;
  /** Which device of the user this connection is (1, 2, ...): the second and later show as `name#2`. */
  device?: number;
}

export function describeViolation(v: Violation): string {
  if (v.where === 'log') return `${v.member}@${v.rid} got "${v.text}" twice, as seq ${v.after} and ${v.seq} of one log`;
  return v.kind === 'order'
    ? `${v.member}@${v.rid} was pushed seq ${v.seq} after ${v.after} ("${v.text}")`
    : `${v.member}@${v.rid} was pushed seq ${v.seq} twice on one socket ("${v.text}")`;
}

/**
 * One connection of a user on the client library (chatofpomelo-client), in one room or several: the
 * library enters the first and joins the others, follows each room's log (every message once, in seq
 * order, gaps filled from that room's history), goes back through the gate when the connection drops
 * (re-entering each room with its `lastSeq` and `epoch`), and sends again with the same `clientMsgId`
 * what got no answer. This records every message the library delivered, and, through its wire taps,
 * every breach of the order as the pushes came off the wire (the follower would hide it). A 503 is
 * not retried here: the harness counts what the server answers. The tests (as ResilientClient) and the
 * chaos harness (bench/chaos) share it.
 */
export class VerifyingClient {
  readonly violations: Violation[] = [];
  reentries = 0;
  /** How long each re-entry took, from the dropped connection to the last room's reply. */
  readonly reentryMs: number[] = [];
  /** Why attempts to (re-)enter failed, for the report when it never succeeds. */
  readonly failures: string[] = [];
  /** Client port of the connector this client is on now. */
  port = 0;
  /** `onChat` pushes received, on every socket. */
  pushes = 0;
  /** The rooms, the first (the one entered) first. */
  readonly rids: readonly string[];
  /** What each room saw on this connection. */
  readonly tracks = new Map<string, RoomTrack>();
  private readonly client: ChatClient;
  /** The port of the socket being entered, this client's once it is in. */
  private openingPort = 0;
  /** When the connection dropped, until the client is back. */
  private droppedAt?: number;
  private closed = false;
  private sends = 0;

  constructor(
    gate: { host: string; port: number },
    readonly username: string,
    rids: string | readonly string[],
    private readonly options: VerifyingClientOptions = {},
  ) {
    this.rids = typeof rids === 'string' ? [rids] : [...rids];
    for (const rid of this.rids) this.tracks.set(rid, new RoomTrack(rid, this.name, (v) => this.violations.push(v)));
    this.client = new ChatClient({
      gate: `http://${gate.host}:${gate.port}`,
      username,
      ...(options.token && { tokenProvider: options.token }),
      backoff: REENTRY_BACKOFF,
      retry: { attempts: 1 },
      sendTimeoutMs: SEND_TIMEOUT_MS,
      wire: { socket: (socket, url) => this.watchWire(socket, url), reply: (_route, request, reply) => this.replied(request, reply) },
    });
    this.client.on('message', (message) => this.delivered(message));
    this.client.on('recovered', ({ rid, recovered }) => {
      if (!recovered) this.tracks.get(rid)?.lost();
    });
    this.client.on('state', (event) => this.stateChanged(event));
  }

  /** The connection, in reports: the user name, `name#2` for the user's second device. */
  get name(): string {
    const device = this.options.device ?? 1;
    return device > 1 ? `${this.username}#${device}` : this.username;
  }

  /** The room entered (the first). */
  get rid(): string {
    return this.rids[0]!;
  }

  /** The first room's messages (text -> message). */
  get seen(): Map<string, ChatMessage> {
    return this.track(this.rid).seen;
  }

  /** The first room's sends answered 200. */
  get accepted(): AcceptedSend[] {
    return this.track(this.rid).accepted;
  }

  /** When the first room said messages may be missing. */
  get lostNoticeTimes(): number[] {
    return this.track(this.rid).lostNoticeTimes;
  }

  /** How often any room said messages may be missing. */
  get lostNotices(): number {
    return [...this.tracks.values()].reduce((n, t) => n + t.lostNoticeTimes.length, 0);
  }

  track(rid: string): RoomTrack {
    const track = this.tracks.get(rid);
    if (!track) throw new Error(`${this.name} is not in room "${rid}"`);
    return track;
  }

  /** Connects and enters every room, trying again until `timeoutMs`. After a drop the library re-enters by itself. */
  async enter(timeoutMs = this.options.enterTimeoutMs ?? 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if (this.client.state === 'idle') await this.client.connect();
        for (const rid of this.rids) if (!this.client.joined.includes(rid)) this.entered(rid, await this.client.join(rid));
        this.port = this.openingPort;
        return;
      } catch (err) {
        if (this.closed) return;
        this.failures.push((err as Error).message);
        if (Date.now() > deadline) throw new Error(`${this.name}@${this.rid} could not enter: ${this.failures.slice(0, 3).join('; ')}`);
        await sleep(100);
      }
    }
  }

  /** The messages a join brought (the room's recent history): delivered, as the later ones are. */
  private entered(rid: string, { history, epoch }: JoinResult): void {
    for (const message of history) this.delivered({ ...message, rid, epoch });
  }

  private delivered(message: RoomMessage): void {
    this.tracks.get(message.rid)?.delivered(message, message.epoch);
    this.options.onDeliver?.(message, this);
  }

  /** Each new connector socket: its pushes are checked as they come, before the library's followers. */
  private watchWire(socket: ChatSocket, url: string): void {
    this.openingPort = Number(new URL(url).port);
    for (const track of this.tracks.values()) track.newSocket();
    socket.on('onChat', (message) => {
      this.pushes++;
      this.roomOf(message.rid)?.pushed(message);
    });
    socket.on('onSeq', (event) => this.roomOf(event.rid)?.epochIs(event.epoch));
  }

  /** An enter, join or history reply says where its room's log stands. */
  private replied(request: unknown, reply: unknown): void {
    const rid = (request as { rid?: unknown }).rid;
    const epoch = (reply as { code?: number; epoch?: unknown }).epoch;
    if (typeof rid === 'string' && typeof epoch === 'string') this.tracks.get(rid)?.epochIs(epoch);
  }

  private stateChanged(event: StateEvent): void {
    if (event.state === 'reconnecting') {
      if (event.attempt === 1) {
        this.reentries++;
        this.droppedAt = Date.now();
      }
      if (event.error) this.failures.push(event.error.message);
    } else if (event.state === 'connected') {
      this.port = this.openingPort;
      if (this.droppedAt !== undefined) this.reentryMs.push(Date.now() - this.droppedAt);
      this.droppedAt = undefined;
    }
  }

  /** The room of a push: its `rid`, or (a single-room connection, a server before multi-room) the only one. */
  private roomOf(rid: string | undefined): RoomTrack | undefined {
    if (rid !== undefined) return this.tracks.get(rid);
    return this.rids.length === 1 ? this.tracks.get(this.rid) : undefined;
  }

  /** A breach of the order on the wire of this client's socket, in its first room (for tests that feed PushOrder by hand). */
  breach(b: PushBreach): void {
    this.track(this.rid).breach(b);
  }

  /**
   * Sends a broadcast to `rid` (default: the first room); returns the reply code (0 when it never got
   * an answer). A send that got no answer (the connection dropped) is sent again by the library, with
   * the same clientMsgId, once the client is back.
   */
  async send(text: string, rid = this.rid): Promise<number> {
    return (await this.sendForReply(text, rid)).code;
  }

  /** Sends a broadcast; resolves with its seq, or 0 when it was not answered 200. */
  async sendAndGetSeq(text: string, rid = this.rid): Promise<number> {
    return (await this.sendForReply(text, rid)).seq;
  }

  private async sendForReply(text: string, rid: string): Promise<{ code: number; seq: number }> {
    const track = this.track(rid);
    const clientMsgId = `${this.name}-${++this.sends}`;
    try {
      const { seq } = await this.client.send(rid, text, { clientMsgId });
      track.accepted.push({ text, seq, answeredAt: Date.now() });
      return { code: 200, seq };
    } catch (err) {
      return { code: (err as ChatClientError).code ?? 0, seq: 0 };
    }
  }

  /** Waits for a re-entry under way; rejects when the client is closed, or not back within 45 s of the drop. */
  async settled(): Promise<void> {
    while (!this.closed && this.droppedAt !== undefined) {
      if (this.client.state === 'closed') throw new Error(`${this.name}@${this.rid} was closed: ${this.failures.at(-1) ?? ''}`);
      const left = this.droppedAt + REENTRY_TIMEOUT_MS - Date.now();
      if (left <= 0)
        throw new Error(`${this.name}@${this.rid} not back in ${REENTRY_TIMEOUT_MS} ms: ${this.failures.slice(-3).join('; ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const off = this.client.on('state', done);
        function done(): void {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
  }

  close(): void {
    this.closed = true;
    this.client.close();
  }
}

export { missingDeliveries, missingMessages, orderViolations, waitForDeliveries, type MissingDelivery } from './deliveries';
