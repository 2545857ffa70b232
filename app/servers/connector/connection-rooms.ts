import { AppError, Code, type Application, type FrontendSession } from '../../../game-server';
import type { Grant } from '../../auth/tokens';
import {
  Push,
  Remotes,
  toUid,
  type ChatSession,
  type EnterPosition,
  type EnterResult,
  type KickEvent,
  type MemberRef,
  type RoomSummary,
} from '../../protocol';
import { roomServer } from '../../routes/room-server';

type Live = FrontendSession<ChatSession>;

export interface ConnectionLimits {
  /** MAX_ROOMS_PER_CONNECTION. */
  maxRooms: number;
  /**
   * How many connections one user may hold at once (MAX_CONNECTIONS_PER_USER), or undefined: names
   * are not proven (no AUTH_SECRET), so a name holds one connection per room.
   */
  maxConnectionsPerUser: number | undefined;
}

/** One connection's part: its rooms (true once its chat server added the user), and the token it proved its name with. */
interface Connection {
  readonly username: string;
  readonly rooms: Map<string, boolean>;
  grant?: Grant;
}

/**
 * The rooms of each connection on this connector: the source of truth the chat servers' rooms are
 * derived from. A user's place in a room is the uid `username*rid`; the connections holding it share
 * it, so the room's chat server hears of the first to join and the last to leave, and a push to the
 * room reaches every one of them.
 */
export class ConnectionRooms {
  private readonly connections = new Map<string, Connection>();
  /** username -> its connections' ids (counted against MAX_CONNECTIONS_PER_USER). */
  private readonly byUser = new Map<string, Set<string>>();
  private readonly chat;

  constructor(
    private readonly app: Application,
    private readonly limits: ConnectionLimits,
  ) {
    this.chat = app.rpc(Remotes.chat);
  }

  /** Makes `live` a connection of `username` (after `bind`): 409 past the user's limit. */
  admit(live: Live, username: string, grant: Grant | undefined): void {
    const mine = this.byUser.get(username) ?? new Set<string>();
    const max = this.limits.maxConnectionsPerUser;
    if (max !== undefined && mine.size >= max) {
      throw new AppError(Code.CONFLICT, `"${username}" already holds ${max} connections (MAX_CONNECTIONS_PER_USER)`);
    }
    mine.add(live.id);
    this.byUser.set(username, mine);
    this.connections.set(live.id, { username, rooms: new Map(), ...(grant && { grant }) });
  }

  /** Undoes `admit` (an enter that failed). */
  forget(live: Pick<Live, 'id'>): void {
    const connection = this.connections.get(live.id);
    if (!connection) return;
    this.connections.delete(live.id);
    const mine = this.byUser.get(connection.username);
    mine?.delete(live.id);
    if (mine?.size === 0) this.byUser.delete(connection.username);
  }

  /** The sessions a uid may have at once: one without proven names, else as many as a user's connections. */
  get holdersPerUid(): number {
    return this.limits.maxConnectionsPerUser ?? 1;
  }

  grantOf(sid: string): Grant | undefined {
    return this.connections.get(sid)?.grant;
  }

  setGrant(sid: string, grant: Grant): void {
    const connection = this.connections.get(sid);
    if (connection) connection.grant = grant;
  }

  /** The rooms `sid` is in (joined), in the order it joined them. */
  roomsOf(sid: string): string[] {
    const rooms = this.connections.get(sid)?.rooms;
    return rooms ? [...rooms].filter(([, joined]) => joined).map(([rid]) => rid) : [];
  }

  /** Whether connection `sid` is in room `rid` (its join answered). */
  holds(sid: string, rid: string): boolean {
    return this.connections.get(sid)?.rooms.get(rid) === true;
  }

  /** Puts an entered connection in room `rid`: the room's chat server adds the user unless another connection of theirs is there. */
  async join(live: Live, rid: string, position: EnterPosition): Promise<EnterResult> {
    const connection = this.connections.get(live.id);
    if (!connection) throw new AppError(Code.FORBIDDEN, 'enter a room first');
    const { username } = connection;
    if (connection.rooms.has(rid)) throw new AppError(Code.CONFLICT, `this connection is already in room "${rid}"`);
    const { maxRooms } = this.limits;
    if (connection.rooms.size >= maxRooms) {
      throw new AppError(Code.FORBIDDEN, `a connection may be in at most ${maxRooms} rooms (MAX_ROOMS_PER_CONNECTION)`);
    }
    const uid = toUid(username, rid);
    try {
      live.claim(uid, this.holdersPerUid);
    } catch (err) {
      if (err instanceof AppError && err.code === Code.CONFLICT) {
        throw new AppError(Code.CONFLICT, `the name "${username}" is already taken in this room`);
      }
      throw err;
    }
    connection.rooms.set(rid, false);
    // In the room's channel before the chat server adds the user: a message pushed right after the
    // add may overtake the add's reply (another link), and must not find the socket outside the room.
    live.join(rid);
    try {
      const result = await this.chat.toServer(this.chatServerOf(rid)).add(uid, this.app.serverId, rid, position);
      if (connection.rooms.has(rid)) connection.rooms.set(rid, true);
      return result;
    } catch (err) {
      // Not added (refused, or no answer: then the chat server may hold it, and is told it left).
      if (connection.rooms.get(rid) === false) {
        this.drop(live, connection, rid);
        if (this.app.sessions.sessionsOf(uid).size === 0) void this.tellLeft(uid, rid);
      }
      throw err;
    }
  }

  /**
   * Takes `live` out of room `rid`; the chat server hears of it when no other connection of the user
   * is left there, and has by the time this resolves.
   */
  async leave(live: Live, rid: string): Promise<void> {
    const connection = this.connections.get(live.id);
    if (!connection?.rooms.has(rid)) throw new AppError(Code.NOT_FOUND, `this connection is not in room "${rid}"`);
    this.drop(live, connection, rid);
    const uid = toUid(connection.username, rid);
    if (this.app.sessions.sessionsOf(uid).size === 0) await this.tellLeft(uid, rid);
  }

  /**
   * A moderator took the user out of `rid` (and tells its chat server itself): every connection
   * holding `uid` leaves it and gets `onKick`; one left in no room is closed.
   */
  kick(uid: string, event: KickEvent & { rid: string }): void {
    for (const live of [...this.app.sessions.sessionsOf(uid)] as Live[]) this.remove(live, event, false);
  }

  /**
   * Takes one connection out of room `event.rid` with `onKick`, closing it if it is left in no room;
   * with `tellChatServer`, the chat server hears of it when no other connection of the user is there.
   */
  remove(live: Live, event: KickEvent & { rid: string }, tellChatServer: boolean): void {
    const connection = this.connections.get(live.id);
    if (!connection?.rooms.has(event.rid)) return;
    this.drop(live, connection, event.rid);
    if (connection.rooms.size === 0) this.close(live, event);
    else this.push(live, event);
    const uid = toUid(connection.username, event.rid);
    if (tellChatServer && this.app.sessions.sessionsOf(uid).size === 0) void this.tellLeft(uid, event.rid);
  }

  /**
   * Pushes `onKick` and closes the connection: out of its rooms' channels first, so pushes to them
   * from now on (its own onLeave) skip it; closed after the push, which socket.io writes first.
   */
  close(live: Live, event: KickEvent): void {
    for (const rid of this.connections.get(live.id)?.rooms.keys() ?? []) live.leave(rid);
    this.push(live, event);
    live.socket.disconnect(true);
  }

  /** The connection closed (its uids are released by now): the chat servers hear of each room it was the user's last in. */
  async closed(live: Pick<Live, 'id'>): Promise<void> {
    const connection = this.connections.get(live.id);
    this.forget(live);
    if (!connection) return;
    const told: Promise<void>[] = [];
    for (const rid of connection.rooms.keys()) {
      const uid = toUid(connection.username, rid);
      if (this.app.sessions.sessionsOf(uid).size === 0) told.push(this.tellLeft(uid, rid));
    }
    await Promise.all(told);
  }

  /** Every user's place in a room that some connection here has joined: what a chat server is re-sent. */
  members(): MemberRef[] {
    const members = new Map<string, MemberRef>();
    for (const { username, rooms } of this.connections.values()) {
      for (const [rid, joined] of rooms) {
        // A join still on its way is not announced: its own add follows on the same link.
        if (joined) members.set(toUid(username, rid), { uid: toUid(username, rid), rid });
      }
    }
    return [...members.values()];
  }

  /** Where the user of `live` stands in each of its rooms, asked of each room's chat server once. */
  async summaries(live: Live): Promise<RoomSummary[]> {
    const username = this.connections.get(live.id)?.username;
    const rids = this.roomsOf(live.id);
    if (username === undefined || rids.length === 0) return [];
    const byServer = new Map<string, string[]>();
    for (const rid of rids) {
      const server = this.chatServerOf(rid);
      byServer.set(server, [...(byServer.get(server) ?? []), rid]);
    }
    const answers = await Promise.all([...byServer].map(([server, list]) => this.chat.toServer(server).summaries(username, list)));
    const byRid = new Map(answers.flat().map((summary) => [summary.rid, summary]));
    return rids.flatMap((rid) => byRid.get(rid) ?? []);
  }

  /** The id of room `rid`'s chat server (503 when there is none). */
  private chatServerOf(rid: string): string {
    const chats = this.app.getServersByType('chat');
    if (chats.length === 0) throw new AppError(Code.UNAVAILABLE, 'no chat server is available');
    return roomServer(rid, chats).id;
  }

  private drop(live: Live, connection: Connection, rid: string): void {
    connection.rooms.delete(rid);
    live.leave(rid);
    live.release(toUid(connection.username, rid));
  }

  private push(live: Live, event: KickEvent): void {
    live.socket.emit(Push.kick, event);
    this.app.metrics.messagesDelivered(Push.kick, 1);
  }

  /** Never rejects: a chat server that cannot be told finds out from the connector's next resync. */
  private async tellLeft(uid: string, rid: string): Promise<void> {
    this.app.log.debug({ uid, rid }, 'leave');
    try {
      await this.chat.toServer(this.chatServerOf(rid)).kick(uid, this.app.serverId, rid);
    } catch (err) {
      this.app.log.warn({ uid, rid, err: (err as Error).message }, 'could not tell the chat server a user left');
    }
  }
}
