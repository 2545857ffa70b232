import { RoomLogFollower } from '../../app/client/room-log-follower';
import { Route, type ChatMessage, type EnterResult, type HistoryResult, type Reply, type SendResult } from '../../app/protocol';
import { connect, queryEntry, request, type ClientSocket } from './chat-client';

/**
 * A user that behaves like the browser client: it follows its room's log (RoomLogFollower: every
 * message once, in seq order, gaps filled from history); when its connection drops it goes back
 * through the gate and re-enters with `lastSeq` and `epoch`; a send that got no answer is sent again
 * after the re-entry with the same `clientMsgId`. Records every message and every breach of the order.
 */
export class ResilientClient {
  /** Message text -> message, from pushes and from history. */
  readonly seen = new Map<string, ChatMessage>();
  /** Texts this client sent that were answered 200. */
  readonly accepted: string[] = [];
  /** A message delivered twice, or out of seq order, within one epoch of the room's log. */
  readonly violations: string[] = [];
  /** How often the room said messages may be missing (`recovered: false`). */
  lostNotices = 0;
  reentries = 0;
  /** Why attempts to (re-)enter failed, for the report when it never succeeds. */
  readonly failures: string[] = [];
  /** Client port of the connector this client is on now. */
  port = 0;
  private socket?: ClientSocket;
  private closed = false;
  private entering?: Promise<void>;
  private sends = 0;
  private last?: { epoch: string; seq: number };
  private readonly epochOf = new Map<string, string>();
  private readonly follower = new RoomLogFollower({
    fetchHistory: async (afterSeq, epoch) => {
      const socket = this.socket;
      if (!socket?.connected) throw new Error('not connected');
      const reply = await request<HistoryResult>(socket, Route.history, { rid: this.rid, afterSeq, ...(epoch !== undefined && { epoch }) });
      if (reply.code !== 200) throw new Error(`history: ${JSON.stringify(reply)}`);
      return reply;
    },
    deliver: (message) => this.remember(message),
    lost: () => this.lostNotices++,
  });

  constructor(
    private readonly gate: { host: string; port: number },
    readonly username: string,
    readonly rid: string,
  ) {}

  async enter(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await this.tryEnter();
        return;
      } catch (err) {
        if (this.closed) return;
        this.follower.suspend();
        this.failures.push((err as Error).message);
        if (Date.now() > deadline) throw new Error(`${this.username}@${this.rid} could not enter: ${this.failures.slice(0, 3).join('; ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async tryEnter(): Promise<void> {
    const entry = await queryEntry(this.gate, this.username);
    if (entry.code !== 200) throw new Error(`queryEntry: ${JSON.stringify(entry)}`);
    const socket = await connect(entry.host, entry.port);
    socket.on('onChat', (message) => this.follower.chat(message));
    socket.on('onSeq', (event) => this.follower.seq(event));
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
    this.socket = socket;
    this.port = entry.port;
    socket.once('disconnect', () => {
      if (this.closed) return;
      this.reentries++;
      this.follower.suspend();
      this.entering = this.enter();
    });
    this.follower.entered({ messages: reply.history, epoch: reply.epoch, lastSeq: reply.lastSeq, recovered: reply.recovered });
  }

  private remember(message: ChatMessage): void {
    const epoch = this.follower.position().epoch ?? '';
    if (this.last?.epoch === epoch && message.seq <= this.last.seq) {
      this.violations.push(`${this.username}@${this.rid} got seq ${message.seq} after ${this.last.seq} ("${message.msg}")`);
    }
    // The same text twice in one log: delivered twice, or a repeated send (same clientMsgId) appended again.
    if (this.epochOf.get(message.msg) === epoch) this.violations.push(`${this.username}@${this.rid} got "${message.msg}" twice`);
    this.seen.set(message.msg, message);
    this.epochOf.set(message.msg, epoch);
    this.last = { epoch, seq: message.seq };
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
          if (reply.code === 200) this.accepted.push(text);
          return reply;
        } catch {
          // No answer: sent again below, once connected.
        }
      }
      await this.settled();
      await new Promise((r) => setTimeout(r, 20));
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
export function orderViolations(clients: readonly ResilientClient[]): string[] {
  return clients.flatMap((c) => c.violations);
}

/** Every text answered 200 in each room that some member of that room never saw. */
export function missingDeliveries(clients: readonly ResilientClient[]): string[] {
  const missing: string[] = [];
  for (const sender of clients) {
    for (const text of sender.accepted) {
      for (const member of clients) {
        if (member.rid === sender.rid && !member.seen.has(text)) missing.push(`${member.username}@${member.rid} missed "${text}"`);
      }
    }
  }
  return missing;
}

/** Waits until every member has every message answered 200 in its room (or `timeoutMs`); returns what is still missing. */
export async function waitForDeliveries(clients: readonly ResilientClient[], timeoutMs: number): Promise<string[]> {
  await Promise.all(clients.map((c) => c.settled()));
  const deadline = Date.now() + timeoutMs;
  let missing = missingDeliveries(clients);
  while (missing.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    missing = missingDeliveries(clients);
  }
  return missing;
}

export interface SendRecord {
  rid: string;
  code: number;
  /** When the send started and how long its answer took, in ms. */
  at: number;
  ms: number;
}

/** Every client sends a numbered broadcast every `periodMs` until stopped; every send is recorded. */
export function startTraffic(clients: readonly ResilientClient[], periodMs: number): { stop(): Promise<SendRecord[]> } {
  let running = true;
  const records: SendRecord[] = [];
  const loops = clients.map(async (client, i) => {
    await new Promise((r) => setTimeout(r, (i * periodMs) / clients.length));
    for (let n = 0; running; n++) {
      const at = Date.now();
      const code = await client.send(`${client.username}@${client.rid} #${n} ${at}`);
      records.push({ rid: client.rid, code, at, ms: Date.now() - at });
      await new Promise((r) => setTimeout(r, periodMs));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return records;
    },
  };
}

/** Enters each of `names` into each of `rids`, one after another; returns the clients. */
export async function enterRooms(
  gate: { host: string; port: number },
  rids: readonly string[],
  names: readonly string[],
): Promise<ResilientClient[]> {
  const clients: ResilientClient[] = [];
  for (const rid of rids) {
    for (const name of names) {
      const client = new ResilientClient(gate, name, rid);
      await client.enter();
      clients.push(client);
    }
  }
  return clients;
}
