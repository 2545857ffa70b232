/**
 * The client contract (../shared/PROTOCOL.md) and the chat remotes, as types: imported by the
 * servers, the browser client, the tests and the benchmark. Change it together with PROTOCOL.md.
 */
import type { RemoteToken } from '../game-server/contract/remote-token';

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

/** The claims of a sign-in token: a JWT signed HS256 with AUTH_SECRET. */
export interface TokenClaims {
  /** The user name the token is for. */
  sub: string;
  /** Expiry, seconds since epoch (required). */
  exp: number;
  /** If present, the only rooms this token may enter. */
  rooms?: string[];
}

/**
 * What a route needs of the client's session before its handler runs: nothing, the live connection
 * (a connector's own route), or a member of a room (403 "enter a room first" otherwise).
 */
export type SessionNeed = 'none' | 'connection' | 'member';

/**
 * One client route's contract: its name on the wire and what it needs of the session; its request
 * and reply as types. Its request schema is `requestSchemas(settings)[key]` (app/validation.ts), held
 * to the request type by app/routes/client-routes.ts.
 */
export interface RouteSpec<Req, Res, N extends SessionNeed> {
  readonly route: string;
  readonly session: N;
  /** Never set, only read by the compiler. */
  readonly types?: { request: Req; response: Res };
}

const spec = <Req, Res, N extends SessionNeed>(route: string, session: N): RouteSpec<Req, Res, N> => ({ route, session });

/** The client routes by key: `app.handle(routes.send, async (request, session) => reply)` is checked against these. */
export const ClientRoutes = {
  queryEntry: spec<QueryEntryRequest, QueryEntryResult, 'none'>(Route.queryEntry, 'none'),
  enter: spec<EnterRequest, EnterResult, 'connection'>(Route.enter, 'connection'),
  refresh: spec<RefreshRequest, RefreshResult, 'connection'>(Route.refresh, 'connection'),
  rooms: spec<RoomsRequest, RoomsResult, 'connection'>(Route.rooms, 'connection'),
  join: spec<JoinRequest, JoinResult, 'connection'>(Route.join, 'connection'),
  leave: spec<LeaveRequest, LeaveResult, 'connection'>(Route.leave, 'connection'),
  send: spec<SendRequest, SendResult, 'member'>(Route.send, 'member'),
  history: spec<HistoryRequest, HistoryResult, 'member'>(Route.history, 'member'),
  typing: spec<TypingRequest, TypingResult, 'member'>(Route.typing, 'member'),
  read: spec<ReadRequest, ReadResult, 'member'>(Route.read, 'member'),
};

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

/**
 * What a connector keeps in each client's session, and forwards with every `chat.*` request: the name
 * it entered with and its first room (the room of a request that names none). The rooms it is in
 * stay on the connector (see app/servers/connector/connection-rooms.ts).
 */
export interface ChatSession {
  username: string;
  rid: string;
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
  /** Read markers: [username, seq] (absent: none). */
  reads?: [string, number][];
}

/** A room on the move between chat servers (scale-out or scale-in): members, last id, and its log when that lives in memory. */
export interface RoomState {
  rid: string;
  lastId: number;
  /** [uid, connector id] pairs. */
  members: [string, string][];
  /** Null when the log lives in a shared store (Redis): nothing to copy. */
  log: RoomLogSnapshot | null;
  /** Bans and mutes in force, when they live in memory (absent: a shared store, or none). */
  moderation?: ModerationSnapshot;
}

/** A room's bans and mutes, handed over with it. */
export interface ModerationSnapshot {
  bans: ModerationEntry[];
  mutes: ModerationEntry[];
}

/** Where an entering user stands in the room's log (`lastSeq` and `epoch`, or an older client's `lastId`). */
export type EnterPosition = LogPosition & { lastId?: number };

/**
 * The chat server's remote. `frontendId` is the calling connector's id. A call for a room that moved
 * to another chat server is passed on there by the runtime (see RemoteDispatcher).
 */
export interface ChatRemote {
  add(uid: string, frontendId: string, rid: string, position: EnterPosition): Promise<EnterResult>;
  /** The user's last connection on `frontendId` left the room (or closed). */
  kick(uid: string, frontendId: string, rid: string): Promise<void>;
  /** Where `username` stands in each of `rids` (rooms of this server): the `connector.entryHandler.rooms` reply. */
  summaries(username: string, rids: string[]): Promise<RoomSummary[]>;
  /**
   * A connector re-announces its users whose rooms live here (after a link came up or the servers
   * list changed). `authoritative`: the list is all of them, so members of that connector missing
   * from it have left.
   */
  resync(frontendId: string, members: MemberRef[], authoritative: boolean): Promise<{ rooms: number }>;
  /** Hands a room over to the chat server asking for it (its new owner), or null if not held here. */
  takeRoom(rid: string): Promise<RoomState | null>;
  /**
   * Publishes into a room as a normal message (same seq, history and pushes) from `from` to everyone:
   * the server API's `POST /api/rooms/:rid/messages`. 404 when nobody is in the room and its log does
   * not outlive it (memory store).
   */
  publish(rid: string, from: string, content: string): Promise<SendResult>;
  /** A room as the server API shows it: members, recent public history, bans and mutes. */
  roomInfo(rid: string): Promise<RoomInfo>;
}

/** Moderation verbs of `npm run admin` and the server API. */
export type ModerationVerb = 'kick' | 'ban' | 'unban' | 'mute' | 'unmute';

export interface ModerationAction {
  verb: ModerationVerb;
  rid: string;
  username: string;
  /** ban and mute: for how long. */
  minutes?: number;
  /** kick and ban: told to the user in `onKick`. */
  reason?: string;
}

export interface ModerationResult {
  verb: ModerationVerb;
  rid: string;
  username: string;
  /** The user was in the room and was disconnected (kick, ban). */
  kicked: boolean;
  /** ban and mute: when it ends, ms since epoch. */
  until?: number;
  /** unban and unmute: there was one to lift. */
  lifted?: boolean;
}

/** A ban or a mute in force. */
export interface ModerationEntry {
  username: string;
  /** ms since epoch. */
  until: number;
  reason?: string;
}

/** The chat server's moderation remote (`npm run admin`, the server API); called on the room's chat server. */
export interface ModerationRemote {
  moderate(action: ModerationAction): Promise<ModerationResult>;
}

/** The connector's remote: what a chat server asks of the connector holding a user. */
export interface ConnectorRemote {
  /**
   * Takes every connection of `uid` (a user in one room) out of the room with `onKick`, closing those
   * left in no room; false when no such user is here.
   */
  kick(uid: string, event: KickEvent): Promise<boolean>;
}

/* The web server's HTTP API: `POST /api/token`, and the server API under /api/rooms (Bearer API_KEY). */

/** `POST /api/token` (only with AUTH_DEV_LOGIN=1). */
export interface TokenRequest {
  username: string;
}
export interface TokenResponse {
  token: string;
  /** ms since epoch. */
  expiresAt: number;
}

/** `POST /api/rooms/:rid/messages`: answered with SendResult (`{ id, seq }`). */
export interface PublishRequest {
  content: string;
  /** Default `system`. */
  from?: string;
}

/** `GET /api/rooms/:rid`. */
export interface RoomInfo {
  rid: string;
  /** The chat server that holds the room. */
  server: string;
  members: string[];
  /** Recent messages to everyone (never private ones), oldest first. */
  history: ChatMessage[];
  epoch: string;
  lastSeq: number;
  bans: ModerationEntry[];
  mutes: ModerationEntry[];
}

/** `POST /api/rooms/:rid/kick`: answered with ModerationResult. */
export interface KickRequest {
  username: string;
  reason?: string;
}

/** Every HTTP API error: the status code says which, `error` why. */
export interface ApiError {
  error: string;
}

/** `GET /api/cluster`: what the admin page shows. */
export interface ClusterView {
  /** ms since epoch, when the servers were asked. */
  at: number;
  servers: ServerView[];
  rooms: RoomView[];
}
export interface ServerView {
  id: string;
  type: string;
  state: 'up' | 'down' | 'error';
  error?: string;
  pid?: number;
  uptimeSeconds?: number;
  connections?: number;
  rooms?: number;
  members?: number;
  /** A counter for the messages/s chart: client requests (connectors), messages published (chat servers). */
  messages?: number;
}
export interface RoomView {
  rid: string;
  server: string;
  users: string[];
}

/** uid as in Pomelo's demo: `username*rid` (user names cannot contain `*`). */
export const toUid = (username: string, rid: string): string => `${username}*${rid}`;
export const usernameOf = (uid: string): string => uid.slice(0, uid.indexOf('*'));

const remoteToken = <T>(name: string, serverType: string): RemoteToken<T> => ({ name, serverType });

/** One token per remote, shared by `app.remote(token, impl)` and `app.rpc(token)`. */
export const Remotes = {
  chat: remoteToken<ChatRemote>('chatRemote', 'chat'),
  moderation: remoteToken<ModerationRemote>('moderationRemote', 'chat'),
  connector: remoteToken<ConnectorRemote>('connectorRemote', 'connector'),
};
