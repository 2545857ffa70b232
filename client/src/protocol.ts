/**
 * The client contract of the cluster (docs/PROTOCOL.md) as types: routes, requests, replies and
 * pushes. The one source of these types: the client library exports them, and app/protocol.ts (the
 * servers, the browser client, the tests, the benchmark) re-exports them. No imports, so that the
 * library's ESM build and the servers' CommonJS build both compile this very file. Change it together
 * with docs/PROTOCOL.md.
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

/** The gate's plain-HTTP form of queryEntry: `GET /entry?uid=<uid>` on the gate's port answers a QueryEntryResult. */
export const ENTRY_PATH = '/entry';

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

export type ErrorCodeNumber = 400 | 401 | 403 | 404 | 405 | 409 | 429 | 500 | 503;

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
  /** Present (true) when the connector is reached over TLS (https/wss: a reverse proxy in front); absent means plain. */
  secure?: true;
}

/** Where a client stands in a room's log: the last `seq` it has, in which `epoch`. */
export interface LogPosition {
  lastSeq?: number;
  epoch?: string;
}

/**
 * What a reply that carries history says about it: the messages this user may see after the
 * position asked for, oldest first, and everything needed to continue from there.
 */
export interface HistoryReply {
  messages: ChatMessage[];
  /** The room log's epoch: it changes only when the log was lost and started again. */
  epoch: string;
  /**
   * The reply covers the log up to this seq: every message up to it that this user may see is in
   * `messages` (unless `recovered` is false). A client continues from here.
   */
  lastSeq: number;
  /** False when the position asked for is from another epoch or already trimmed: messages may be missing. */
  recovered: boolean;
}

export interface EnterRequest extends LogPosition {
  username: string;
  rid: string;
  /**
   * Required when the cluster runs with AUTH_SECRET: a JWT (HS256) whose `sub` is `username` (see
   * TokenClaims). Missing, malformed, forged or expired: 401; for another name or a room it does not list: 403.
   */
  token?: string;
  /** Older clients: the last message id seen; the reply's history then holds only newer ones. */
  lastId?: number;
}
export interface EnterResult {
  /** The user names in the room, the newcomer included (the first PRESENCE_MAX_MEMBERS of them). */
  users: string[];
  /** How many users are in the room: more than `users` holds in a room past PRESENCE_MAX_MEMBERS. */
  userCount: number;
  /** Recent messages this user may see (after `lastSeq`, or `lastId`, when given), oldest first. */
  history: ChatMessage[];
  epoch: string;
  lastSeq: number;
  recovered: boolean;
  /** This user's read marker in the room: the last seq they have read (0: none). */
  readSeq: number;
  /** How many messages after `readSeq` this user may see. */
  unread: number;
}

/**
 * `chat.chatHandler.join`: the connection enters one more room, under the name it entered with. 409
 * when it is already in the room; 403 when the token's rooms exclude it, the user is banned there or
 * the connection is in MAX_ROOMS_PER_CONNECTION rooms already.
 */
export interface JoinRequest extends LogPosition {
  rid: string;
}
export type JoinResult = EnterResult;

/** `chat.chatHandler.leave`: the connection leaves one room; with none left it stays open and may join again. */
export interface LeaveRequest {
  rid: string;
}
export type LeaveResult = Record<string, never>;

/**
 * `chat.chatHandler.typing`: tells the room's other members (`onTyping`). Not logged, no seq; at most
 * one `typing: true` push per user and room every 2 s. The server pushes `typing: false` by itself when
 * the user sends there, leaves, or 8 s after the last `typing: true`.
 */
export interface TypingRequest {
  rid: string;
  typing: boolean;
}
export type TypingResult = Record<string, never>;

/** `chat.chatHandler.read`: moves this user's read marker in the room forward (never back). */
export interface ReadRequest {
  rid: string;
  seq: number;
}
export interface ReadResult {
  /** The marker now (higher than `seq` when another device had read further). */
  readSeq: number;
}

/** `connector.entryHandler.rooms`: where each room of this connection stands. */
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

/**
 * `connector.entryHandler.refresh` (with AUTH_SECRET): a new token for the same user, before the one
 * the connection entered with expires. Checked as enter checks it (401, 403 for another user name).
 */
export interface RefreshRequest {
  token: string;
}
export interface RefreshResult {
  /** When the new token expires, ms since epoch: the connection is closed then unless refreshed again. */
  expiresAt: number;
  /** Rooms the new token does not allow: the connection was taken out of them (and closed, having no room left). */
  left: string[];
}

/**
 * `onTokenExpiring` (with AUTH_SECRET): the connection's token expires at `expiresAt` (ms since epoch),
 * 30 s from now or sooner. Unless `connector.entryHandler.refresh` brings a new one by then, the
 * connection gets `onKick` with reason "token expired" and is closed.
 */
export interface TokenExpiringEvent {
  expiresAt: number;
}

export interface HistoryRequest {
  rid: string;
  /** Messages after this seq (default 0: the oldest kept). */
  afterSeq?: number;
  /** The epoch `afterSeq` belongs to; another epoch answers `recovered: false` and the log from its start. */
  epoch?: string;
  /** At most this many messages (default and maximum: HISTORY_SIZE). */
  limit?: number;
}
export type HistoryResult = HistoryReply;

export interface SendRequest {
  content: string;
  /** `'*'` or a user name in the room. */
  target: string;
  /** The room, one of this connection's (403 otherwise); absent: the room it entered with. */
  rid?: string;
  /** Ignored: the sender is the session's user. Kept for Pomelo-demo clients. */
  from?: string;
  /**
   * Makes the send idempotent: a second send with the same id from the same user in the same room
   * (while the first is in the history window) answers the first message's id and seq and delivers nothing.
   */
  clientMsgId?: string;
}
export interface SendResult {
  /** The id the message got in its room. */
  id: number;
  /** Its place in the room's log. */
  seq: number;
}

/**
 * `onChat`: `msg`, `from`, `target` as in Pomelo's demo; `seq` numbers a room's messages 1, 2, 3...
 * without gaps (privates to others take a seq too); `id` increases per room, `time` is ms since epoch.
 */
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
/** `onAdd` (the user's first connection entered the room) and `onLeave` (its last one left). */
export interface UserEvent {
  user: string;
  rid: string;
}
/** `onTyping`: `user` started or stopped typing in `rid`. */
export interface TypingEvent {
  rid: string;
  user: string;
  typing: boolean;
}
/** `onRead`: `user` has read `rid` up to `seq` (to that user's other connections, and to small rooms). */
export interface ReadEvent {
  rid: string;
  user: string;
  seq: number;
}
/**
 * `onSeq`: the room's log is at `seq`. Sent after a link between servers came back, when pushes may
 * have been lost on the way: a client whose last seq is lower asks the history route for the rest.
 */
export interface SeqEvent {
  rid: string;
  seq: number;
  epoch: string;
}

/**
 * `onKick`: a moderator removed this user from room `rid` (kick or ban), on every connection of theirs
 * in it. A connection left in no room is closed right after; a client must not enter again by itself
 * (a banned user gets 403 until `until`).
 */
export interface KickEvent {
  /** The room the user was removed from; absent when the whole connection is closed (token expired). */
  rid?: string;
  reason: string;
  /** For a ban: when it ends, ms since epoch. */
  until?: number;
}

/** `onKick`'s reason when the connection's token expired without a refresh: a client signs in again and re-enters. */
export const TOKEN_EXPIRED = 'token expired';

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
