/**
 * The client's half of the wire contract (docs/PROTOCOL.md), copied from app/protocol.ts so that the
 * package ships self-contained types and never loads the server. The copy is held to the original by
 * the compiler both ways (test/unit/client-wire-types.test.ts): a change on either side that breaks
 * the other fails `npm run typecheck`.
 */

export const Route = {
  queryEntry: 'gate.gateHandler.queryEntry',
  enter: 'connector.entryHandler.enter',
  refresh: 'connector.entryHandler.refresh',
  rooms: 'connector.entryHandler.rooms',
  send: 'chat.chatHandler.send',
  history: 'chat.chatHandler.history',
  join: 'chat.chatHandler.join',
  leave: 'chat.chatHandler.leave',
  typing: 'chat.chatHandler.typing',
  read: 'chat.chatHandler.read',
} as const;

export const Push = {
  chat: 'onChat',
  add: 'onAdd',
  leave: 'onLeave',
  seq: 'onSeq',
  kick: 'onKick',
  tokenExpiring: 'onTokenExpiring',
  typing: 'onTyping',
  read: 'onRead',
} as const;

/** `target` for a message to the whole room. */
export const EVERYONE = '*';

/** `onKick`'s reason when the connection's token expired without a refresh: the client signs in again and re-enters. */
export const TOKEN_EXPIRED = 'token expired';

export type ErrorCodeNumber = 400 | 401 | 403 | 404 | 409 | 429 | 500 | 503;

export interface ErrorReply {
  code: ErrorCodeNumber;
  error: string;
}

export type Reply<T> = ({ code: 200 } & T) | ErrorReply;

export interface QueryEntryRequest {
  uid: string;
}
export interface QueryEntryResult {
  host: string;
  port: number;
}

/** Where a client stands in a room's log: the last `seq` it has, in which `epoch`. */
export interface LogPosition {
  lastSeq?: number;
  epoch?: string;
}

/** A reply that carries history: the messages after the position asked for, and where to continue. */
export interface HistoryReply {
  messages: ChatMessage[];
  epoch: string;
  lastSeq: number;
  /** False when the position asked for is from another epoch or already trimmed: messages may be missing. */
  recovered: boolean;
}

export interface EnterRequest extends LogPosition {
  username: string;
  rid: string;
  token?: string;
  lastId?: number;
}
export interface EnterResult {
  /** The first PRESENCE_MAX_MEMBERS user names in the room. */
  users: string[];
  userCount: number;
  history: ChatMessage[];
  epoch: string;
  lastSeq: number;
  recovered: boolean;
  /** This user's read marker in the room (0: none). */
  readSeq: number;
  /** Messages after `readSeq` this user may see. */
  unread: number;
}

/** `chat.chatHandler.join`: one more room for this connection. */
export interface JoinRequest extends LogPosition {
  rid: string;
}
export type JoinResult = EnterResult;

export interface LeaveRequest {
  rid: string;
}
export type LeaveResult = Record<string, never>;

export interface TypingRequest {
  rid: string;
  typing: boolean;
}
export type TypingResult = Record<string, never>;

export interface ReadRequest {
  rid: string;
  seq: number;
}
export interface ReadResult {
  readSeq: number;
}

export type RoomsRequest = Record<string, never>;
export interface RoomsResult {
  rooms: RoomSummary[];
}
export interface RoomSummary {
  rid: string;
  epoch: string;
  lastSeq: number;
  readSeq: number;
  unread: number;
  userCount: number;
}

export interface RefreshRequest {
  token: string;
}
export interface RefreshResult {
  /** When the new token expires, ms since epoch. */
  expiresAt: number;
  /** Rooms the new token does not allow: the connection was taken out of them. */
  left: string[];
}

export interface TokenExpiringEvent {
  expiresAt: number;
}

export interface HistoryRequest {
  rid: string;
  afterSeq?: number;
  epoch?: string;
  limit?: number;
}
export type HistoryResult = HistoryReply;

export interface SendRequest {
  content: string;
  /** `'*'` or a user name in the room. */
  target: string;
  rid?: string;
  from?: string;
  clientMsgId?: string;
}
export interface SendResult {
  id: number;
  seq: number;
}

/** `onChat`. */
export interface ChatMessage {
  id: number;
  seq: number;
  msg: string;
  from: string;
  target: string;
  time: number;
}
/** `onChat`: a message with its room. */
export interface RoomMessage extends ChatMessage {
  rid: string;
}
/** `onAdd`, `onLeave`. */
export interface UserEvent {
  user: string;
  rid: string;
}
/** `onTyping`. */
export interface TypingEvent {
  rid: string;
  user: string;
  typing: boolean;
}
/** `onRead`. */
export interface ReadEvent {
  rid: string;
  user: string;
  seq: number;
}
/** `onSeq`. */
export interface SeqEvent {
  rid: string;
  seq: number;
  epoch: string;
}
/** `onKick`; no `rid` when the whole connection closes (token expired). */
export interface KickEvent {
  rid?: string;
  reason: string;
  until?: number;
}

type Ack<T> = (reply: Reply<T>) => void;

export interface ClientToServerEvents {
  [Route.queryEntry]: (request: QueryEntryRequest, ack: Ack<QueryEntryResult>) => void;
  [Route.enter]: (request: EnterRequest, ack: Ack<EnterResult>) => void;
  [Route.refresh]: (request: RefreshRequest, ack: Ack<RefreshResult>) => void;
  [Route.send]: (request: SendRequest, ack: Ack<SendResult>) => void;
  [Route.history]: (request: HistoryRequest, ack: Ack<HistoryResult>) => void;
  [Route.rooms]: (request: RoomsRequest, ack: Ack<RoomsResult>) => void;
  [Route.join]: (request: JoinRequest, ack: Ack<JoinResult>) => void;
  [Route.leave]: (request: LeaveRequest, ack: Ack<LeaveResult>) => void;
  [Route.typing]: (request: TypingRequest, ack: Ack<TypingResult>) => void;
  [Route.read]: (request: ReadRequest, ack: Ack<ReadResult>) => void;
}

export interface ServerToClientEvents {
  [Push.chat]: (message: RoomMessage) => void;
  [Push.add]: (event: UserEvent) => void;
  [Push.leave]: (event: UserEvent) => void;
  [Push.seq]: (event: SeqEvent) => void;
  [Push.kick]: (event: KickEvent) => void;
  [Push.tokenExpiring]: (event: TokenExpiringEvent) => void;
  [Push.typing]: (event: TypingEvent) => void;
  [Push.read]: (event: ReadEvent) => void;
}
