/**
 * The chat on plain socket.io rooms: the routes, pushes, validation and error codes of the cluster,
 * served by one socket.io Server. The single-process baseline serves it alone; the cluster-adapter
 * target serves it in every node:cluster worker, with `replicate` sharing room membership.
 */
import type { Server, Socket } from 'socket.io';
import { AppError, Code, toErrorResponse } from '../../game-server/errors';
import { EVERYONE, Push, Route, type ChatMessage, type EnterResult, type QueryEntryResult, type SendResult } from '../../app/protocol';
import { loadChatSettings } from '../../app/settings';
import { parseRequest, requestSchemas } from '../../app/validation';
import { MessageHistory } from './message-history';

interface Room {
  /** username -> socket id (socket ids are socket.io rooms, on every worker). */
  members: Map<string, string>;
  history: MessageHistory;
  lastId: number;
  lastSeq: number;
}

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
  const rooms = new Map<string, Room>();
  // The rooms' ids and logs live as long as this process: one epoch.
  const epoch = `baseline-${Date.now().toString(36)}-${process.pid}`;

  const roomOf = (rid: string): Room => {
    let room = rooms.get(rid);
    if (!room) {
      room = { members: new Map(), history: new MessageHistory(settings.HISTORY_SIZE), lastId: Date.now() * 1000, lastSeq: 0 };
      rooms.set(rid, room);
    }
    return room;
  };

  const apply = ({ rid, username, sid }: MembershipChange): void => {
    if (sid !== undefined) return void roomOf(rid).members.set(username, sid);
    const room = rooms.get(rid);
    if (!room) return;
    room.members.delete(username);
    if (room.members.size === 0) rooms.delete(rid);
  };

  const accept = (socket: Socket): void => {
    let entered: { username: string; rid: string; room: Room } | undefined;

    serve(socket, Route.queryEntry, (body): QueryEntryResult => {
      parseRequest(schemas.queryEntry, body);
      return options.entry();
    });

    serve(socket, Route.enter, (body): EnterResult => {
      const { username, rid, lastId = 0 } = parseRequest(schemas.enter, body);
      if (entered) throw new AppError(Code.FORBIDDEN, 'this connection has already entered a room');
      const room = roomOf(rid);
      if (room.members.has(username)) throw new AppError(Code.CONFLICT, `the name "${username}" is already taken in this room`);
      socket.to(rid).emit(Push.add, { user: username, rid });
      const change = { rid, username, sid: socket.id };
      apply(change);
      options.replicate?.(change);
      void socket.join(rid);
      entered = { username, rid, room };
      return {
        users: [...room.members.keys()],
        userCount: room.members.size,
        history: room.history.visibleAfter(lastId, username),
        epoch,
        lastSeq: room.lastSeq,
        recovered: true,
        readSeq: 0,
        unread: 0,
      };
    });

    serve(socket, Route.send, (body): SendResult => {
      const { content, target } = parseRequest(schemas.send, body);
      if (!entered) throw new AppError(Code.FORBIDDEN, 'enter a room first');
      const { username, rid, room } = entered;
      const targetSid = target === EVERYONE ? undefined : room.members.get(target);
      if (target !== EVERYONE && targetSid === undefined) throw new AppError(Code.BAD_REQUEST, `no user "${target}" in this room`);
      const message: ChatMessage = { id: ++room.lastId, msg: content, from: username, target, time: Date.now(), seq: ++room.lastSeq };
      room.history.append(message);
      io.to(targetSid ?? rid).emit(Push.chat, message);
      return { id: message.id, seq: message.seq };
    });

    socket.on('disconnect', () => {
      if (!entered) return;
      const { username, rid, room } = entered;
      const change = { rid, username };
      apply(change);
      options.replicate?.(change);
      if (room.members.size > 0) io.to(rid).emit(Push.leave, { user: username });
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
