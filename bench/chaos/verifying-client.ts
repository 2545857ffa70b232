import { RoomLogFollower } from '../../app/client/room-log-follower';
import { Route, type ChatMessage, type EnterResult, type HistoryResult, type Reply, type SendResult } from '../../app/protocol';
import { connect, queryEntry, request, type ClientSocket } from './client-socket';
import { PushOrder, type PushBreach } from './push-order';
import { sleep } from '../../game-server/sleep';

/** How long a client that dropped keeps trying to get back in. */
const REENTRY_TIMEOUT_MS = 45_000;
/**
 * A breach of exactly once, in order. On the wire (`pushes`): one socket got a seq pushed twice, or
 * one at or below the seq pushed before it, within an epoch of the room's log (see PushOrder). In the
 * `log`: one send was appended twice to one epoch (its text has two seqs).
 */
export interface Violation {
  kind: 'duplicate' | 'order';
  where: 'pushes' | 'log';
  member: string;
  rid: string;
  epoch: string;
  seq: number;
  /** The seq pushed (or, in the log, delivered) just before. */
  after?: number;
  text: string;
}

/** A send answered 200. */
export interface AcceptedSend {
  text: string;
  seq: number;
  /** When the answer came (ms since the epoch). */
  answeredAt: number;
}

export interface VerifyingClientOptions {
  /** How long (re-)entering may fail before `enter` gives up (default 15 s). */
  enterTimeoutMs?: number;
  /** Called for each message as it is delivered (once, in seq order). */
  onDeliver?: (message: ChatMessage, client: VerifyingClient) => void;
}

export function describeViolation(v: Violation): string {
  if (v.where === 'log') return `${v.member}@${v.rid} got "${v.text}" twice, as seq ${v.after} and ${v.seq} of one log`;
  return v.kind === 'order'
    ? `${v.member}@${v.rid} was pushed seq ${v.seq} after ${v.after} ("${v.text}")`
    : `${v.member}@${v.rid} was pushed seq ${v.seq} twice on one socket ("${v.text}")`;
}

/**
 * A user that behaves like the browser client: it follows its room's log (RoomLogFollower: every
 * message once, in seq order, gaps filled from history); when its connection drops it goes back
 * through the gate and re-enters with `lastSeq` and `epoch`; a send that got no answer is sent again
 * after the re-entry with the same `clientMsgId`. Records every message, and every breach of the order
 * as the pushes came off the wire (the follower would hide it: it reorders and drops repeats).
 * The tests (as ResilientClient) and the chaos harness (bench/chaos) share it.
 */
export class VerifyingClient {
  /** Message text -> message, from pushes and from history. */
  readonly seen = new Map<string, ChatMessage>();
  /** Sends of this client answered 200. */
  readonly accepted: AcceptedSend[] = [];
  readonly violations: Violation[] = [];
  /** When the room said messages may be missing (`recovered: false`). */
  readonly lostNoticeTimes: number[] = [];
  reentries = 0;
  /** How long each re-entry took, from the dropped connection to the enter reply. */
  readonly reentryMs: number[] = [];
  /** Why attempts to (re-)enter failed, for the report when it never succeeds. */
  readonly failures: string[] = [];
  /** Client port of the connector this client is on now. */
  port = 0;
  /** `onChat` pushes received, on every socket. */
  pushes = 0;
  private socket?: ClientSocket;
  /** The order of the pushes on the current socket. */
  private wire?: PushOrder;
  private closed = false;
  private entering?: Promise<void>;
  private sends = 0;
  /** Message text -> where the log holds it (an epoch and a seq). */
  private readonly placeOf = new Map<string, { epoch: string; seq: number }>();
  private readonly follower = new RoomLogFollower({
    fetchHistory: async (afterSeq, epoch) => {
      const { socket, wire } = this;
      if (!socket?.connected) throw new Error('not connected');
      const reply = await request<HistoryResult>(socket, Route.history, { rid: this.rid, afterSeq, ...(epoch !== undefined && { epoch }) });
      if (reply.code !== 200) throw new Error(`history: ${JSON.stringify(reply)}`);
      wire?.epochIs(reply.epoch);
      return reply;
    },
    deliver: (message) => this.remember(message),
    lost: () => this.lostNoticeTimes.push(Date.now()),
  });

  constructor(
    private readonly gate: { host: string; port: number },
    readonly username: string,
    readonly rid: string,
    private readonly options: VerifyingClientOptions = {},
  ) {}

  /** How often the room said messages may be missing. */
  get lostNotices(): number {
    return this.lostNoticeTimes.length;
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
        this.follower.suspend();
        this.failures.push((err as Error).message);
        if (Date.now() > deadline) throw new Error(`${this.username}@${this.rid} could not enter: ${this.failures.slice(0, 3).join('; ')}`);
        await sleep(100);
      }
    }
  }

  private async tryEnter(): Promise<void> {
    const entry = await queryEntry(this.gate, this.username);
    if (entry.code !== 200) throw new Error(`queryEntry: ${JSON.stringify(entry)}`);
    const socket = await connect(entry.host, entry.port);
    // Checked as they come, before the follower: it reorders held pushes and drops repeats.
    const wire = new PushOrder((breach) => this.breach(breach));
    socket.on('onChat', (message) => {
      this.pushes++;
      wire.push(message);
      this.follower.chat(message);
    });
    socket.on('onSeq', (event) => {
      wire.epochIs(event.epoch);
      this.follower.seq(event);
    });
    let reply: Reply<EnterResult>;
    try {
      reply = await request<EnterResult>(socket, Route.enter, { username: this.username, rid: this.rid, ...this.follower.position() });
    } catch (err) {
      // Leave nothing behind: a session left open would hold the name (409 on the next try).
      socket.disconnect();
      throw err;
    }
    if (reply.code !== 200) {
      socket.disconnect();
      throw new Error(`enter: ${JSON.stringify(reply)}`);
    }
    wire.epochIs(reply.epoch);
    this.socket = socket;
    this.wire = wire;
    this.port = entry.port;
    socket.once('disconnect', () => {
      if (this.closed) return;
      this.reentries++;
      this.follower.suspend();
      const droppedAt = Date.now();
      this.entering = this.enter(REENTRY_TIMEOUT_MS).then(() => void this.reentryMs.push(Date.now() - droppedAt));
    });
    this.follower.entered({ messages: reply.history, epoch: reply.epoch, lastSeq: reply.lastSeq, recovered: reply.recovered });
  }

  /** A breach of the order on the wire of this client's socket. */
  breach(b: PushBreach): void {
    this.violations.push({ ...b, where: 'pushes', member: this.username, rid: this.rid });
  }

  private remember(message: ChatMessage): void {
    const epoch = this.follower.position().epoch ?? '';
    // The same text at two seqs of one log: a repeated send (same clientMsgId) appended again.
    const before = this.placeOf.get(message.msg);
    if (before?.epoch === epoch && before.seq !== message.seq)
      this.violations.push({
        kind: 'duplicate',
        where: 'log',
        member: this.username,
        rid: this.rid,
        epoch,
        seq: message.seq,
        after: before.seq,
        text: message.msg,
      });
    this.seen.set(message.msg, message);
    this.placeOf.set(message.msg, { epoch, seq: message.seq });
    this.options.onDeliver?.(message, this);
  }

  /**
   * Sends a broadcast; returns the reply code (0 when it never got an answer). A send that got no
   * answer (the connection dropped) is sent again, with the same clientMsgId, once the client is back.
   */
  async send(text: string): Promise<number> {
    return (await this.sendForReply(text)).code;
  }

  /** Sends a broadcast; resolves with its seq, or 0 when it was not answered 200. */
  async sendAndGetSeq(text: string): Promise<number> {
    const reply = await this.sendForReply(text);
    return reply.code === 200 ? reply.seq : 0;
  }

  private async sendForReply(text: string): Promise<Reply<SendResult> | { code: 0 }> {
    const clientMsgId = `${this.username}-${++this.sends}`;
    const deadline = Date.now() + 15_000;
    while (!this.closed && Date.now() < deadline) {
      const socket = this.socket;
      if (socket?.connected) {
        try {
          const reply = await request<SendResult>(socket, Route.send, { content: text, target: '*', clientMsgId }, 5000);
          if (reply.code === 200) this.accepted.push({ text, seq: reply.seq, answeredAt: Date.now() });
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
    this.follower.close();
    this.socket?.disconnect();
  }
}

/** Every message delivered twice or out of order, by any client. */
export function orderViolations(clients: readonly VerifyingClient[]): string[] {
  return clients.flatMap((c) => c.violations.map(describeViolation));
}

/** A message answered 200 in a room that one of the room's members has not seen. */
export interface MissingDelivery extends AcceptedSend {
  member: VerifyingClient;
  sender: string;
}

/** Every message answered 200 in each room that some member of that room has not seen. */
export function missingMessages(clients: readonly VerifyingClient[]): MissingDelivery[] {
  const byRoom = new Map<string, VerifyingClient[]>();
  for (const client of clients) byRoom.set(client.rid, [...(byRoom.get(client.rid) ?? []), client]);
  const missing: MissingDelivery[] = [];
  for (const sender of clients) {
    for (const send of sender.accepted) {
      for (const member of byRoom.get(sender.rid)!)
        if (!member.seen.has(send.text)) missing.push({ ...send, member, sender: sender.username });
    }
  }
  return missing;
}

/** Every text answered 200 in each room that some member of that room never saw. */
export function missingDeliveries(clients: readonly VerifyingClient[]): string[] {
  return missingMessages(clients).map((m) => `${m.member.username}@${m.member.rid} missed "${m.text}"`);
}

/** Waits until every member has every message answered 200 in its room (or `timeoutMs`); returns what is still missing. */
export async function waitForDeliveries(clients: readonly VerifyingClient[], timeoutMs: number): Promise<string[]> {
  await Promise.all(clients.map((c) => c.settled()));
  const deadline = Date.now() + timeoutMs;
  let missing = missingDeliveries(clients);
  while (missing.length > 0 && Date.now() < deadline) {
    await sleep(50);
    missing = missingDeliveries(clients);
  }
  return missing;
}
