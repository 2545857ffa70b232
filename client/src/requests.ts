/** Each client route as one typed call on a connector socket: the request, its timeout, and a refusal as a ChatClientError. */
import {
  Route,
  type EnterResult,
  type HistoryRequest,
  type HistoryResult,
  type JoinResult,
  type LogPosition,
  type ReadResult,
  type RefreshResult,
  type RoomSummary,
  type RoomsResult,
  type SendRequest,
  type SendResult,
} from './protocol.js';
import { ChatClientError } from './errors.js';
import { retryTransient, type RetryEvent, type RetryOptions } from './retry.js';
import { replyError, request, type ChatSocket, type TransportOptions } from './transport.js';

/** What a request needs: the socket, the timeouts, and how to retry a 503. */
export interface Link {
  socket: ChatSocket;
  transport: TransportOptions;
  retry: RetryOptions;
  onRetry?: (event: RetryEvent) => void;
}

/** One request; a 503 is asked again on the same socket (same body: a send keeps its clientMsgId) while it lasts. */
function ask<T>(link: Link, route: string, send: (timeoutMs: number) => Promise<unknown>): Promise<T> {
  return retryTransient(
    route,
    link.retry,
    async () => {
      // Gone while waiting to retry: unanswered (no code), so the caller waits for the reconnection.
      if (!link.socket.connected) throw new ChatClientError(`${route}: the connection dropped`);
      const reply = await request<T>('connector', link.transport, send);
      if (reply.code !== 200) throw replyError(route, reply);
      return reply;
    },
    link.onRetry,
  );
}

/** `connector.entryHandler.enter`: binds the connection to `username` and enters its first room. */
export const enter = (link: Link, body: { username: string; rid: string; token?: string } & LogPosition): Promise<EnterResult> =>
  ask(link, Route.enter, (ms) => link.socket.timeout(ms).emitWithAck(Route.enter, body));

/** `chat.chatHandler.join`: one more room for an entered connection. */
export const join = (link: Link, rid: string, position: LogPosition): Promise<JoinResult> =>
  ask(link, Route.join, (ms) => link.socket.timeout(ms).emitWithAck(Route.join, { rid, ...position }));

export const leave = async (link: Link, rid: string): Promise<void> => {
  await ask(link, Route.leave, (ms) => link.socket.timeout(ms).emitWithAck(Route.leave, { rid }));
};

export const send = (link: Link, body: SendRequest): Promise<SendResult> =>
  ask(link, Route.send, (ms) => link.socket.timeout(ms).emitWithAck(Route.send, body));

export const history = (link: Link, body: HistoryRequest): Promise<HistoryResult> =>
  ask(link, Route.history, (ms) => link.socket.timeout(ms).emitWithAck(Route.history, body));

export const typing = async (link: Link, rid: string, on: boolean): Promise<void> => {
  await ask(link, Route.typing, (ms) => link.socket.timeout(ms).emitWithAck(Route.typing, { rid, typing: on }));
};

export const read = async (link: Link, rid: string, seq: number): Promise<number> =>
  (await ask<ReadResult>(link, Route.read, (ms) => link.socket.timeout(ms).emitWithAck(Route.read, { rid, seq }))).readSeq;

export const rooms = async (link: Link): Promise<RoomSummary[]> =>
  (await ask<RoomsResult>(link, Route.rooms, (ms) => link.socket.timeout(ms).emitWithAck(Route.rooms, {}))).rooms;

export const refresh = (link: Link, token: string): Promise<RefreshResult> =>
  ask(link, Route.refresh, (ms) => link.socket.timeout(ms).emitWithAck(Route.refresh, { token }));
