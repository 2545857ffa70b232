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
  onReply?: (route: string, request: unknown, reply: unknown) => void;
}

/** One request; a 503 is asked again on the same socket (same body: a send keeps its clientMsgId) while it lasts. */
function ask<T>(link: Link, route: string, body: unknown, send: (timeoutMs: number) => Promise<unknown>): Promise<T> {
  return retryTransient(
    route,
    link.retry,
    async () => {
      // Gone while waiting to retry: unanswered (no code), so the caller waits for the reconnection.
      if (!link.socket.connected) throw new ChatClientError(`${route}: the connection dropped`);
      const reply = await request<T>('connector', link.transport, send);
      link.onReply?.(route, body, reply);
      if (reply.code !== 200) throw replyError(route, reply);
      return reply;
    },
    link.onRetry,
  );
}

/** `connector.entryHandler.enter`: binds the connection to `username` and enters its first room. */
export const enter = (link: Link, body: { username: string; rid: string; token?: string } & LogPosition): Promise<EnterResult> =>
  ask(link, Route.enter, body, (ms) => link.socket.timeout(ms).emitWithAck(Route.enter, body));

/** `chat.chatHandler.join`: one more room for an entered connection. */
export const join = (link: Link, rid: string, position: LogPosition): Promise<JoinResult> => {
  const body = { rid, ...position };
  return ask(link, Route.join, body, (ms) => link.socket.timeout(ms).emitWithAck(Route.join, body));
};

export const leave = async (link: Link, rid: string): Promise<void> => {
  const body = { rid };
  await ask(link, Route.leave, body, (ms) => link.socket.timeout(ms).emitWithAck(Route.leave, body));
};

export const send = (link: Link, body: SendRequest): Promise<SendResult> =>
  ask(link, Route.send, body, (ms) => link.socket.timeout(ms).emitWithAck(Route.send, body));

export const history = (link: Link, body: HistoryRequest): Promise<HistoryResult> =>
  ask(link, Route.history, body, (ms) => link.socket.timeout(ms).emitWithAck(Route.history, body));

export const typing = async (link: Link, rid: string, on: boolean): Promise<void> => {
  const body = { rid, typing: on };
  await ask(link, Route.typing, body, (ms) => link.socket.timeout(ms).emitWithAck(Route.typing, body));
};

export const read = async (link: Link, rid: string, seq: number): Promise<number> =>
  (await ask<ReadResult>(link, Route.read, { rid, seq }, (ms) => link.socket.timeout(ms).emitWithAck(Route.read, { rid, seq }))).readSeq;

export const rooms = async (link: Link): Promise<RoomSummary[]> =>
  (await ask<RoomsResult>(link, Route.rooms, {}, (ms) => link.socket.timeout(ms).emitWithAck(Route.rooms, {}))).rooms;

export const refresh = (link: Link, token: string): Promise<RefreshResult> =>
  ask(link, Route.refresh, { token }, (ms) => link.socket.timeout(ms).emitWithAck(Route.refresh, { token }));
