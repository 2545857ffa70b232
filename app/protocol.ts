/**
 * The cluster's contracts as types: the client's (routes, requests, replies, pushes: defined once in
 * the client library, client/src/protocol.ts, and re-exported here), the routes' session needs, the
 * chat and connector remotes, and the web server's HTTP API. Imported by the servers, the browser
 * client, the tests and the benchmark. Change the client's half together with docs/PROTOCOL.md.
 */
import type { RemoteToken } from '../game-server/contract/remote-token';
import {
  Route,
  type ChatMessage,
  type EnterResult,
  type EnterRequest,
  type HistoryRequest,
  type HistoryResult,
  type JoinRequest,
  type JoinResult,
  type KickEvent,
  type LeaveRequest,
  type LeaveResult,
  type LogPosition,
  type QueryEntryRequest,
  type QueryEntryResult,
  type ReadRequest,
  type ReadResult,
  type RefreshRequest,
  type RefreshResult,
  type RoomSummary,
  type RoomsRequest,
  type RoomsResult,
  type SendRequest,
  type SendResult,
  type TypingRequest,
  type TypingResult,
} from '../client/src/protocol';

export * from '../client/src/protocol';

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
  /** The last seq the old owner gave and confirmed: the new owner's claim starts no lower (see RoomLog.claim). */
  lastSeq?: number;
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
