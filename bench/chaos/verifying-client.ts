import {
  Route,
  type RoomMessage,
  type ChatMessage,
  type EnterResult,
  type HistoryResult,
  type Reply,
  type SendResult,
} from '../../app/protocol';
import { connect, queryEntry, request, type ClientSocket } from './client-socket';
import type { PushBreach } from './push-order';
import { RoomTrack, type AcceptedSend, type Violation } from './room-track';
import { sleep } from '../../game-server/sleep';

export type { AcceptedSend, Violation } from './room-track';

/** How long a client that dropped keeps trying to get back in. */
const REENTRY_TIMEOUT_MS = 45_000;

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
 * One connection of a user that behaves like the browser client, in one room or several: it enters
 * the first and joins the others, follows each room's log (RoomTrack: every message once, in seq
 * order, gaps filled from that room's history); when its connection drops it goes back through the
 * gate, re-enters the first room and re-joins the others, each with its `lastSeq` and `epoch`; a send
 * that got no answer is sent again after the re-entry with the same `clientMsgId`. Records every
 * message, and every breach of the order as the pushes came off the wire (the follower would hide it).
 * The tests (as ResilientClient) and the chaos harness (bench/chaos) share it.
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
  private socket?: ClientSocket;
  private closed = false;
  private entering?: Promise<void>;
  private sends = 0;

  constructor(
    private readonly gate: { host: string; port: number },
    readonly username: string,
    rids: string | readonly string[],
    private readonly options: VerifyingClientOptions = {},
  ) {
    this.rids = typeof rids === 'string' ? [rids] : [...rids];
    for (const rid of this.rids)
      this.tracks.set(
        rid,
        new RoomTrack(rid, this.name, {
          fetchHistory: async (afterSeq, epoch) => {
            const socket = this.socket;
            if (!socket?.connected) throw new Error('not connected');
            const reply = await request<HistoryResult>(socket, Route.history, { rid, afterSeq, ...(epoch !== undefined && { epoch }) });
            if (reply.code !== 200) throw new Error(`history: ${JSON.stringify(reply)}`);
            return reply;
          },
          delivered: (message) => this.options.onDeliver?.({ ...message, rid }, this),
          violation: (v) => this.violations.push(v),
        }),
      );
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

  /**
   * Enters, retrying until `timeoutMs`. A re-entry after a drop tries longer (45 s): like a person's
   * browser it keeps trying while a whole cluster restarts on a busy machine.
   */
  async enter(timeoutMs = this.options.enterTimeoutMs ?? 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.tryEnter();
        return;
      } catch (err) {
        if (this.closed) return;
        for (const track of this.tracks.values()) track.follower.suspend();
        this.failures.push((err as Error).message);
        if (Date.now() > deadline) throw new Error(`${this.name}@${this.rid} could not enter: ${this.failures.slice(0, 3).join('; ')}`);
        await sleep(100);
      }
    }
  }

  private async tryEnter(): Promise<void> {
    const entry = await queryEntry(this.gate, this.username);
    if (entry.code !== 200) throw new Error(`queryEntry: ${JSON.stringify(entry)}`);
    const token = this.options.token ? await this.options.token() : undefined;
    const socket = await connect(entry.host, entry.port);
    // Checked as they come, before the followers: they reorder held pushes and drop repeats.
    for (const track of this.tracks.values()) track.newSocket();
    socket.on('onChat', (message) => {
      this.pushes++;
      this.roomOf(message.rid)?.pushed(message);
    });
    socket.on('onSeq', (event) => {
      const track = this.roomOf(event.rid);
      track?.epochIs(event.epoch);
      track?.follower.seq(event);
    });
    try {
      for (const [i, rid] of this.rids.entries()) {
        const track = this.track(rid);
        const position = track.follower.position();
        const reply =
          i === 0
            ? await request<EnterResult>(socket, Route.enter, {
                username: this.username,
                rid,
                ...position,
                ...(token !== undefined && { token }),
              })
            : await request<EnterResult>(socket, Route.join, { rid, ...position });
        if (reply.code !== 200) throw new Error(`${i === 0 ? 'enter' : 'join'} ${rid}: ${JSON.stringify(reply)}`);
        track.epochIs(reply.epoch);
        track.follower.entered({ messages: reply.history, epoch: reply.epoch, lastSeq: reply.lastSeq, recovered: reply.recovered });
      }
      if (!socket.connected) throw new Error('the connection dropped while entering');
    } catch (err) {
      // Leave nothing behind: a session left open would hold the name (409 on the next try).
      socket.disconnect();
      throw err;
    }
    this.socket = socket;
    this.port = entry.port;
    socket.once('disconnect', () => {
      if (this.closed) return;
      this.reentries++;
      for (const track of this.tracks.values()) track.follower.suspend();
      const droppedAt = Date.now();
      this.entering = this.enter(REENTRY_TIMEOUT_MS).then(() => void this.reentryMs.push(Date.now() - droppedAt));
    });
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
   * an answer). A send that got no answer (the connection dropped) is sent again, with the same
   * clientMsgId, once the client is back.
   */
  async send(text: string, rid = this.rid): Promise<number> {
    return (await this.sendForReply(text, rid)).code;
  }

  /** Sends a broadcast; resolves with its seq, or 0 when it was not answered 200. */
  async sendAndGetSeq(text: string, rid = this.rid): Promise<number> {
    const reply = await this.sendForReply(text, rid);
    return reply.code === 200 ? reply.seq : 0;
  }

  private async sendForReply(text: string, rid: string): Promise<Reply<SendResult> | { code: 0 }> {
    const track = this.track(rid);
    const clientMsgId = `${this.name}-${++this.sends}`;
    const deadline = Date.now() + 15_000;
    while (!this.closed && Date.now() < deadline) {
      const socket = this.socket;
      if (socket?.connected) {
        try {
          const reply = await request<SendResult>(socket, Route.send, { rid, content: text, target: '*', clientMsgId }, 5000);
          if (reply.code === 200) track.accepted.push({ text, seq: reply.seq, answeredAt: Date.now() });
          return reply;
        } catch {
          // No answer: sent again below, once connected.
        }
      }
      await this.settled();
      await sleep(20);
    }
    return { code: 0 };
  }

  /** Waits for any re-entry under way. */
  async settled(): Promise<void> {
    while (this.entering) {
      const current = this.entering;
      await current;
      if (this.entering === current) this.entering = undefined;
    }
  }

  close(): void {
    this.closed = true;
    for (const track of this.tracks.values()) track.follower.close();
    this.socket?.disconnect();
  }
}

export { missingDeliveries, missingMessages, orderViolations, waitForDeliveries, type MissingDelivery } from './deliveries';
