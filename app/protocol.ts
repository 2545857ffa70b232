/**
 * The client contract (../shared/PROTOCOL.md) and the chat remotes, as types: imported by the
 * servers, the browser client, the tests and the benchmark. Change it together with PROTOCOL.md.
 */

export const Route = {
  queryEntry: 'gate.gateHandler.queryEntry',
  enter: 'connector.entryHandler.enter',
  send: 'chat.chatHandler.send',
  history: 'chat.chatHandler.history',
} as const;

export const Push = {
  chat: 'onChat',
  add: 'onAdd',
  leave: 'onLeave',
  seq: 'onSeq',
} as const;

/** `target` for a message to the whole room. */
export const EVERYONE = '*';

export type ErrorCodeNumber = 400 | 403 | 404 | 409 | 429 | 500 | 503;

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
  /** Older clients: the last message id seen; the reply's history then holds only newer ones. */
  lastId?: number;
}
export interface EnterResult {
  /** Every user name in the room, the newcomer included. */
  users: string[];
  /** Recent messages this user may see (after `lastSeq`, or `lastId`, when given), oldest first. */
  history: ChatMessage[];
  epoch: string;
  lastSeq: number;
  recovered: boolean;
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
  /** Ignored: the room and sender come from the session. Kept for Pomelo-demo clients. */
  rid?: string;
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
export interface UserEvent {
  user: string;
}
/**
 * `onSeq`: the room's log is at `seq`. Sent after a link between servers came back, when pushes may
 * have been lost on the way: a client whose last seq is lower asks the history route for the rest.
 */
export interface SeqEvent {
  seq: number;
  epoch: string;
}

type Ack<T> = (reply: Reply<T>) => void;

export interface ClientToServerEvents {
  [Route.queryEntry]: (request: QueryEntryRequest, ack: Ack<QueryEntryResult>) => void;
  [Route.enter]: (request: EnterRequest, ack: Ack<EnterResult>) => void;
  [Route.send]: (request: SendRequest, ack: Ack<SendResult>) => void;
  [Route.history]: (request: HistoryRequest, ack: Ack<HistoryResult>) => void;
}

export interface ServerToClientEvents {
  [Push.chat]: (message: ChatMessage) => void;
  [Push.add]: (event: UserEvent) => void;
  [Push.leave]: (event: UserEvent) => void;
  [Push.seq]: (event: SeqEvent) => void;
}

/** What a connector keeps in each client's session. */
export interface ChatSession {
  username: string;
  rid: string;
  /** Set once the room's chat server has added the user: from then on the connector re-announces it. */
  inRoom: boolean;
}

/** A connector's user in a room, as it re-announces them to chat servers. */
export interface MemberRef {
  uid: string;
  rid: string;
}

/** A message as a room log keeps it, with the key that makes its send idempotent (`from` + `clientMsgId`). */
export interface LoggedMessage {
  message: ChatMessage;
  dedupeKey?: string;
}

/** A room log held in a chat server's memory, handed over with its room. */
export interface RoomLogSnapshot {
  epoch: string;
  lastSeq: number;
  entries: LoggedMessage[];
}

/** A room on the move between chat servers (scale-out or scale-in): members, last id, and its log when that lives in memory. */
export interface RoomState {
  rid: string;
  lastId: number;
  /** [uid, connector id] pairs. */
  members: [string, string][];
  /** Null when the log lives in a shared store (Redis): nothing to copy. */
  log: RoomLogSnapshot | null;
}

/** Where an entering user stands in the room's log (`lastSeq` and `epoch`, or an older client's `lastId`). */
export type EnterPosition = LogPosition & { lastId?: number };

/**
 * The chat server's remote. `frontendId` is the calling connector's id. `redirected` is set when
 * one chat server passes a call on to the room's new owner, so it is never passed on twice.
 */
export interface ChatRemote {
  add(uid: string, frontendId: string, rid: string, position: EnterPosition, redirected?: boolean): Promise<EnterResult>;
  kick(uid: string, frontendId: string, rid: string, redirected?: boolean): Promise<void>;
  /**
   * A connector re-announces its users whose rooms live here (after a link came up or the servers
   * list changed). `authoritative`: the list is all of them, so members of that connector missing
   * from it have left.
   */
  resync(frontendId: string, members: MemberRef[], authoritative: boolean): Promise<{ rooms: number }>;
  /** Hands a room over to the chat server asking for it (its new owner), or null if not held here. */
  takeRoom(rid: string): Promise<RoomState | null>;
}

/** uid as in Pomelo's demo: `username*rid` (user names cannot contain `*`). */
export const toUid = (username: string, rid: string): string => `${username}*${rid}`;
export const usernameOf = (uid: string): string => uid.slice(0, uid.indexOf('*'));
