/**
 * The bare adapter target's chat: what a Node developer writes first on socket.io rooms. The routes and
 * pushes the load generator uses (queryEntry, enter, join, leave, send; onChat, onAdd, onLeave), and
 * nothing else: no validation beyond what keeps the process up, no message ids, seq or history, no
 * membership list (a room is the adapter's own socket.io room), no presence cap, broadcasts only.
 */
import type { Server, Socket } from 'socket.io';
import { Code } from '../../game-server/errors';
import { EVERYONE, Push, Route, type QueryEntryResult } from '../../app/protocol';

type Ack = (reply: object) => void;

const ok = { code: Code.OK };
const badRequest = (error: string): object => ({ code: Code.BAD_REQUEST, error });

/** A string field of a request body, or undefined. */
const field = (body: unknown, name: string): string | undefined => {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

/** Serves the bare chat on `io`; queryEntry answers with `entry`. */
export function serveBareChat(io: Server, entry: QueryEntryResult): void {
  io.on('connection', (socket: Socket) => {
    let username: string | undefined;
    let first: string | undefined;

    const on = (route: string, run: (body: unknown) => object): void => {
      socket.on(route, (body: unknown, ack: unknown) => {
        if (typeof ack === 'function') (ack as Ack)(run(body));
      });
    };
    const add = (rid: string): void => {
      void socket.join(rid);
      socket.to(rid).emit(Push.add, { user: username, rid });
    };

    on(Route.queryEntry, () => ({ ...ok, ...entry }));

    on(Route.enter, (body) => {
      const [name, rid] = [field(body, 'username'), field(body, 'rid')];
      if (name === undefined || rid === undefined) return badRequest('username and rid are strings');
      username = name;
      first = rid;
      add(rid);
      return ok;
    });

    on(Route.join, (body) => {
      const rid = field(body, 'rid');
      if (rid === undefined) return badRequest('rid is a string');
      add(rid);
      return ok;
    });

    on(Route.leave, (body) => {
      const rid = field(body, 'rid');
      if (rid === undefined) return badRequest('rid is a string');
      void socket.leave(rid);
      io.to(rid).emit(Push.leave, { user: username, rid });
      return ok;
    });

    on(Route.send, (body) => {
      const [content, target, rid = first] = [field(body, 'content'), field(body, 'target'), field(body, 'rid')];
      if (content === undefined || rid === undefined) return badRequest('content is a string; enter a room first');
      if (target !== EVERYONE) return badRequest('the bare target sends to the whole room only');
      io.to(rid).emit(Push.chat, { rid, msg: content, from: username, target, time: Date.now() });
      return ok;
    });

    socket.on('disconnecting', () => {
      for (const rid of socket.rooms) if (rid !== socket.id) socket.to(rid).emit(Push.leave, { user: username, rid });
    });
  });
}
