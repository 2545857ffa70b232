/**
 * The chat on plain socket.io rooms: the routes, pushes, validation and error codes of the cluster,
 * served by one socket.io Server. The single-process baseline serves it alone; the cluster-adapter
 * target serves it in every node:cluster worker, with `replicate` sharing room membership. A connection
 * enters one room and may join more (socket.io rooms: `socket.join` once per room).
 */
import type { Server, Socket } from 'socket.io';
import { AppError, Code, toErrorResponse } from '../../game-server/errors';
import {
  EVERYONE,
  Push,
  Route,
  type EnterResult,
  type JoinResult,
  type LeaveResult,
  type QueryEntryResult,
  type RoomMessage,
  type SendResult,
} from '../../app/protocol';
import { loadChatSettings } from '../../app/settings';
import { parseRequest, requestSchemas } from '../../app/validation';
import { Rooms, type Room } from './baseline-rooms';

/** A member entering (`sid` set) or leaving (`sid` undefined) a room. */
export interface MembershipChange {
  rid: string;
  username: string;
  sid?: string;
}

export interface ChatRoutesOptions {
  /** What queryEntry answers: this server itself. */
  entry: () => QueryEntryResult;
  /** Tells the other processes serving the same rooms (absent: this process is alone). */
  replicate?: (change: MembershipChange) => void;
}

/** Serves the chat on `io`; returns `apply`, for membership changes another process replicated here. */
export function serveChat(io: Server, options: ChatRoutesOptions): { apply: (change: MembershipChange) => void } {
  const settings = loadChatSettings();
  const schemas = requestSchemas(settings);
  const rooms = new Rooms(settings.HISTORY_SIZE, {
    presenceMaxMembers: settings.PRESENCE_MAX_MEMBERS,
    maxRoomsPerConnection: settings.MAX_ROOMS_PER_CONNECTION,
  });

  const apply = ({ rid, username, sid }: MembershipChange): void =>
    sid === undefined ? rooms.remove(rid, username) : rooms.add(rid, username, sid);
  const change = (c: MembershipChange): void => {
    apply(c);
    options.replicate?.(c);
  };

  const accept = (socket: Socket): void => {
    let user: { username: string; first: string; rooms: Map<string, Room> } | undefined;

    /** Puts this connection's user into `rid`: onAdd to the others, socket.io room joined. */
    const add = (username: string, rid: string, lastId: number): EnterResult => {
      const room = rooms.getOrCreate(rid);
      if (room.members.has(username)) throw new AppError(Code.CONFLICT, `the name "${username}" is already taken in this room`);
      if (rooms.announces(room.members.size + 1)) socket.to(rid).emit(Push.add, { user: username, rid });
      change({ rid, username, sid: socket.id });
      void socket.join(rid);
      user?.rooms.set(rid, room);
      return rooms.entered(room, username, lastId);
    };

    const remove = (username: string, rid: string): void => {
      const room = rooms.get(rid);
      const announce = room !== undefined && rooms.announces(room.members.size);
      change({ rid, username });
      void socket.leave(rid);
      user?.rooms.delete(rid);
      if (announce && (room?.members.size ?? 0) > 0) io.to(rid).emit(Push.leave, { user: username, rid });
    };

    serve(socket, Route.queryEntry, (body): QueryEntryResult => {
      parseRequest(schemas.queryEntry, body);
      return options.entry();
    });

    serve(socket, Route.enter, (body): EnterResult => {
      const { username, rid, lastId = 0 } = parseRequest(schemas.enter, body);
      if (user) throw new AppError(Code.FORBIDDEN, 'this connection has already entered a room');
      const reply = add(username, rid, lastId);
      user = { username, first: rid, rooms: new Map([[rid, rooms.get(rid)!]]) };
      return reply;
    });

    serve(socket, Route.join, (body): JoinResult => {
      const { rid } = parseRequest(schemas.join, body);
      if (!user) throw new AppError(Code.FORBIDDEN, 'enter a room first');
      if (user.rooms.has(rid)) throw new AppError(Code.CONFLICT, 'this connection is in that room already');
      if (user.rooms.size >= rooms.limits.maxRoomsPerConnection)
        throw new AppError(Code.FORBIDDEN, `a connection may be in at most ${rooms.limits.maxRoomsPerConnection} rooms`);
      return add(user.username, rid, 0);
    });

    serve(socket, Route.leave, (body): LeaveResult => {
      const { rid } = parseRequest(schemas.leave, body);
      if (!user?.rooms.has(rid)) throw new AppError(Code.FORBIDDEN, 'this connection is not in that room');
      remove(user.username, rid);
      return {};
    });

    serve(socket, Route.send, (body): SendResult => {
      const { content, target, rid: named } = parseRequest(schemas.send, body);
      if (!user) throw new AppError(Code.FORBIDDEN, 'enter a room first');
      const rid = named ?? user.first;
      const room = user.rooms.get(rid);
      if (!room) throw new AppError(Code.FORBIDDEN, 'this connection is not in that room');
      const targetSid = target === EVERYONE ? undefined : room.members.get(target);
      if (target !== EVERYONE && targetSid === undefined) throw new AppError(Code.BAD_REQUEST, `no user "${target}" in this room`);
      const { username } = user;
      const message = { id: ++room.lastId, msg: content, from: username, target, time: Date.now(), seq: ++room.lastSeq };
      room.history.append(message);
      io.to(targetSid ?? rid).emit(Push.chat, { ...message, rid } satisfies RoomMessage);
      return { id: message.id, seq: message.seq };
    });

    socket.on('disconnect', () => {
      if (!user) return;
      for (const rid of [...user.rooms.keys()]) remove(user.username, rid);
    });
  };

  io.on('connection', accept);
  return { apply };
}

type Ack = (reply: object) => void;

/** Runs a route's body and acknowledges `{ code: 200, ...result }` or `{ code, error }`, as the cluster does. */
function serve(socket: Socket, route: string, run: (body: unknown) => object): void {
  socket.on(route, (body: unknown, ack: unknown) => {
    if (typeof ack !== 'function') return;
    try {
      (ack as Ack)({ ...run(body), code: Code.OK });
    } catch (err) {
      (ack as Ack)(toErrorResponse(err));
    }
  });
}
