/**
 * The benchmark's baseline: the whole chat in one Node process on plain socket.io rooms, serving the
 * same routes, pushes, validation and error codes as the cluster (queryEntry answers with itself).
 * `node dist/bench/baseline/baseline-server.js <host> <port>`; exits when its parent goes.
 */
import { createServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { AppError, Code, toErrorResponse } from '../../game-server/errors';
import { EVERYONE, Push, Route, type ChatMessage, type EnterResult, type QueryEntryResult, type SendResult } from '../../app/protocol';
import { MessageHistory } from './message-history';
import { loadChatSettings } from '../../app/settings';
import { parseRequest, requestSchemas } from '../../app/validation';

interface BaselineRoom {
  /** username -> socket id */
  members: Map<string, string>;
  history: MessageHistory;
  lastId: number;
  lastSeq: number;
}

/** The baseline's rooms live as long as this process: one epoch. */
const EPOCH = `baseline-${Date.now().toString(36)}`;

const [host = '127.0.0.1', portArg = '0'] = process.argv.slice(2);
const settings = loadChatSettings();
const schemas = requestSchemas(settings);
const rooms = new Map<string, BaselineRoom>();
const http = createServer((_req, res) => res.writeHead(404).end());
const io = new Server(http, { perMessageDeflate: false, httpCompression: false, serveClient: false, maxHttpBufferSize: 65_536 });

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

function accept(socket: Socket): void {
  let entered: { username: string; rid: string; room: BaselineRoom } | undefined;

  serve(socket, Route.queryEntry, (body): QueryEntryResult => {
    parseRequest(schemas.queryEntry, body);
    return { host, port: (http.address() as { port: number }).port };
  });

  serve(socket, Route.enter, (body): EnterResult => {
    const { username, rid, lastId = 0 } = parseRequest(schemas.enter, body);
    if (entered) throw new AppError(Code.FORBIDDEN, 'this connection has already entered a room');
    let room = rooms.get(rid);
    if (!room)
      rooms.set(
        rid,
        (room = { members: new Map(), history: new MessageHistory(settings.HISTORY_SIZE), lastId: Date.now() * 1000, lastSeq: 0 }),
      );
    if (room.members.has(username)) throw new AppError(Code.CONFLICT, `the name "${username}" is already taken in this room`);
    socket.to(rid).emit(Push.add, { user: username });
    room.members.set(username, socket.id);
    void socket.join(rid);
    entered = { username, rid, room };
    return {
      users: [...room.members.keys()],
      history: room.history.visibleAfter(lastId, username),
      epoch: EPOCH,
      lastSeq: room.lastSeq,
      recovered: true,
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
    room.members.delete(username);
    if (room.members.size === 0) rooms.delete(rid);
    else io.to(rid).emit(Push.leave, { user: username });
  });
}

io.on('connection', accept);
http.listen(Number(portArg), host, () => process.send?.({ listening: (http.address() as { port: number }).port }));
// The bench runner is gone (or closed the channel): so is this process.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
