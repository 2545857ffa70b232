import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import { loadChatSettings } from '../../app/settings';
import { parseRequest, requestSchemas } from '../../app/validation';
import { serveChat, type MembershipChange } from './chat-routes';
import { entryRoute } from './entry-route';

export interface ChatServer {
  io: Server;
  port: number;
  /** Applies a membership change another process replicated here. */
  apply: (change: MembershipChange) => void;
}

/**
 * A socket.io Server listening on `host:port`, configured as every bench target's is, that answers
 * `GET /entry` with itself (after `checkUid`, if given). With `adapter` (the node:cluster workers of the
 * adapter targets) it takes websocket only: long-polling would need sticky sessions between workers.
 */
export async function listenSocketIo(
  host: string,
  port: number,
  options: { adapter?: ServerOptions['adapter']; checkUid?: (uid: string | undefined) => void } = {},
): Promise<{ io: Server; port: number }> {
  const { adapter } = options;
  let listening = port;
  const http = createServer(entryRoute(() => ({ host, port: listening }), options.checkUid));
  const io = new Server(http, {
    perMessageDeflate: false,
    httpCompression: false,
    serveClient: false,
    maxHttpBufferSize: 65_536,
    ...(adapter && { adapter, transports: ['websocket' as const] }),
  });
  await new Promise<void>((resolve, reject) => http.once('error', reject).listen(port, host, resolve));
  listening = (http.address() as AddressInfo).port;
  return { io, port: listening };
}

/**
 * The chat on plain socket.io (see chat-routes.ts) listening on `host:port`; queryEntry and GET /entry
 * answer with this server. `adapter` and `replicate` are for the node:cluster workers of the adapter target.
 */
export async function startChatServer(
  host: string,
  port: number,
  options: { adapter?: ServerOptions['adapter']; replicate?: (change: MembershipChange) => void } = {},
): Promise<ChatServer> {
  // GET /entry checks the uid as queryEntry does, with the same schema.
  const schemas = requestSchemas(loadChatSettings());
  const { io, port: listening } = await listenSocketIo(host, port, {
    adapter: options.adapter,
    checkUid: (uid) => parseRequest(schemas.queryEntry, { uid }),
  });
  const { apply } = serveChat(io, { entry: () => ({ host, port: listening }), ...(options.replicate && { replicate: options.replicate }) });
  return { io, port: listening, apply };
}
