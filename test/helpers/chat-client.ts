import {
  EVERYONE,
  Route,
  type ClientToServerEvents,
  type EnterRequest,
  type EnterResult,
  type Reply,
  type SendResult,
  type ServerToClientEvents,
} from '../../app/protocol';
import { connect, queryEntry, request, type ClientSocket } from '../../bench/chaos/client-socket';
import { sleep } from '../../game-server/sleep';

export { closeAllSockets, connect, queryEntry, request, type ClientSocket } from '../../bench/chaos/client-socket';
export type PushName = keyof ServerToClientEvents;
type RouteName = keyof ClientToServerEvents;
export type RequestOf<R extends RouteName> = Parameters<ClientToServerEvents[R]>[0];
export type ReplyOf<R extends RouteName> = Parameters<Parameters<ClientToServerEvents[R]>[1]>[0];
export type PushPayload<E extends PushName> = Parameters<ServerToClientEvents[E]>[0];

/** A user as the protocol sees one: gate, then connector, then enter; records every push. */
export class ChatClient {
  readonly pushes: { event: PushName; payload: unknown }[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    readonly socket: ClientSocket,
    readonly username: string,
    readonly rid: string,
    readonly connectorPort: number,
    readonly entered: EnterResult,
  ) {}

  /** Goes through the gate and enters `rid`; throws with the reply if any step is not 200. */
  static async enter(
    gate: { host: string; port: number },
    username: string,
    rid: string,
    extra: Partial<EnterRequest> = {},
  ): Promise<ChatClient> {
    const entry = await queryEntry(gate, username);
    if (entry.code !== 200) throw new Error(`queryEntry ${username}: ${JSON.stringify(entry)}`);
    const socket = await connect(entry.host, entry.port);
    const pushes: { event: PushName; payload: unknown }[] = [];
    socket.onAny((event: PushName, payload: unknown) => pushes.push({ event, payload }));
    const reply = await request<EnterResult>(socket, Route.enter, { username, rid, ...extra });
    if (reply.code !== 200) {
      socket.disconnect();
      throw new Error(`enter ${username}@${rid}: ${JSON.stringify(reply)}`);
    }
    const client = new ChatClient(socket, username, rid, entry.port, reply);
    // Pushes that arrived before the client object existed are kept.
    client.pushes.push(...pushes);
    socket.offAny();
    socket.onAny((event: PushName, payload: unknown) => {
      client.pushes.push({ event, payload });
      for (const wake of client.waiters) wake();
    });
    return client;
  }

  send(content: string, target: string = EVERYONE, timeoutMs = 5000): Promise<Reply<SendResult>> {
    return request<SendResult>(this.socket, Route.send, { content, target }, timeoutMs);
  }

  /** Any client route with its typed request and reply (join, leave, typing, read, rooms...). */
  ask<R extends RouteName>(route: R, body: RequestOf<R>, timeoutMs = 5000): Promise<ReplyOf<R>> {
    return request(this.socket, route, body, timeoutMs);
  }

  /** Sends to room `rid` (one of this connection's). */
  sendTo(rid: string, content: string, target: string = EVERYONE): Promise<Reply<SendResult>> {
    return request<SendResult>(this.socket, Route.send, { rid, content, target });
  }

  received<E extends PushName>(event: E): PushPayload<E>[] {
    return this.pushes.filter((p) => p.event === event).map((p) => p.payload as PushPayload<E>);
  }

  /** Resolves with the first `event` push matching `match` (already received or still to come). */
  waitFor<E extends PushName>(
    event: E,
    match: (payload: PushPayload<E>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<PushPayload<E>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.received(event).find(match);
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `${this.username} got no matching ${event} within ${timeoutMs} ms; last pushes: ${JSON.stringify(this.pushes.slice(-5)).slice(0, 600)}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== wake);
      };
      const wake = (): void => void check();
      if (!check()) this.waiters.push(wake);
    });
  }

  close(): void {
    this.socket.disconnect();
  }

  /** Enters until the cluster answers 200: a server on its way back answers 503 or nothing meanwhile (30 s at most). */
  static async enterWhenBack(
    gate: { host: string; port: number },
    username: string,
    rid: string,
    extra: Partial<EnterRequest> = {},
  ): Promise<ChatClient> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        return await ChatClient.enter(gate, username, rid, extra);
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(100);
      }
    }
  }
}
