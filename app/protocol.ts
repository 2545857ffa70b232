/**
 * The client contract (../shared/PROTOCOL.md) and the chat remotes, as types: imported by the
 * servers, the browser client, the tests and the benchmark. Change it together with PROTOCOL.md.
 */

export const Route = {
  queryEntry: 'gate.gateHandler.queryEntry',
  enter: 'connector.entryHandler.enter',
  send: 'chat.chatHandler.send',
} as const;

export const Push = {
  chat: 'onChat',
  add: 'onAdd',
  leave: 'onLeave',
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

export interface EnterRequest {
  username: string;
  rid: string;
  /** The last message id this client has seen; the reply's history then holds only newer ones. */
  lastId?: number;
}
export interface EnterResult {
  /** Every user name in the room, the newcomer included. */
  users: string[];
  /** Recent messages this user may see, oldest first. */
  history: ChatMessage[];
}

export interface SendRequest {
  content: string;
  /** `'*'` or a user name in the room. */
  target: string;
  /** Ignored: the room and sender come from the session. Kept for Pomelo-demo clients. */
  rid?: string;
  from?: string;
}
export interface SendResult {
  /** The id the message got in its room. */
  id: number;
}

/** `onChat`: `msg`, `from`, `target` as in Pomelo's demo; `id` increases per room, `time` is ms since epoch. */
export interface ChatMessage {
  id: number;
  msg: string;
  from: string;
  target: string;
  time: number;
}
export interface UserEvent {
  user: string;
}

type Ack<T> = (reply: Reply<T>) => void;

export interface ClientToServerEvents {
  [Route.queryEntry]: (request: QueryEntryRequest, ack: Ack<QueryEntryResult>) => void;
  [Route.enter]: (request: EnterRequest, ack: Ack<EnterResult>) => void;
  [Route.send]: (request: SendRequest, ack: Ack<SendResult>) => void;
}

export interface ServerToClientEvents {
  [Push.chat]: (message: ChatMessage) => void;
  [Push.add]: (event: UserEvent) => void;
  [Push.leave]: (event: UserEvent) => void;
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

/** A room on the move between chat servers (scale-out or scale-in): members, history, last id. */
export interface RoomState {
  rid: string;
  lastId: number;
  /** [uid, connector id] pairs. */
  members: [string, string][];
  history: ChatMessage[];
}

/**
 * The chat server's remote. `frontendId` is the calling connector's id. `redirected` is set when
 * one chat server passes a call on to the room's new owner, so it is never passed on twice.
 */
export interface ChatRemote {
  add(uid: string, frontendId: string, rid: string, lastId?: number, redirected?: boolean): Promise<EnterResult>;
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
