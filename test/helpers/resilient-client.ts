import { Route, type ChatMessage, type EnterResult, type Reply } from '../../app/protocol';
import { connect, queryEntry, request, type ClientSocket } from './chat-client';

/**
 * A user that behaves like the browser client: when its connection drops it goes back through the
 * gate and re-enters with `lastId`, so history fills any gap. Records every message it could see.
 */
export class ResilientClient {
  /** Message text -> message, from pushes and from history on re-entry. */
  readonly seen = new Map<string, ChatMessage>();
  /** Texts this client sent that were answered 200. */
  readonly accepted: string[] = [];
  reentries = 0;
  /** Why attempts to (re-)enter failed, for the report when it never succeeds. */
  readonly failures: string[] = [];
  /** Client port of the connector this client is on now. */
  port = 0;
  private socket?: ClientSocket;
  private lastId = 0;
  private closed = false;
  private entering?: Promise<void>;

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
    socket.on('onChat', (message) => this.remember(message));
    let reply: Reply<EnterResult>;
    try {
      reply = await request<EnterResult>(socket, Route.enter, {
        username: this.username,
        rid: this.rid,
        ...(this.lastId > 0 && { lastId: this.lastId }),
      });
    } catch (err) {
      // Leave nothing behind: a session left open would hold the name (409 on the next try).
      socket.disconnect();
      throw err;
    }
    if (reply.code !== 200) {
      socket.disconnect();
      throw new Error(`enter: ${JSON.stringify(reply)}`);
    }
    for (const message of reply.history) this.remember(message);
    this.socket = socket;
    this.port = entry.port;
    socket.once('disconnect', () => {
      if (this.closed) return;
      this.reentries++;
      this.entering = this.enter();
    });
  }

  private remember(message: ChatMessage): void {
    this.seen.set(message.msg, message);
    this.lastId = Math.max(this.lastId, message.id);
  }

  /** Sends a broadcast; returns the reply code (or 0 when there was no connection or no answer). */
  async send(text: string): Promise<number> {
    const socket = this.socket;
    if (!socket?.connected) return 0;
    try {
      const reply = await request(socket, Route.send, { content: text, target: '*' }, 5000);
      if (reply.code === 200) this.accepted.push(text);
      return reply.code;
    } catch {
      return 0;
    }
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
    this.socket?.disconnect();
  }
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
