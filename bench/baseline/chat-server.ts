import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import { serveChat, type MembershipChange } from './chat-routes';

export interface ChatServer {
  io: Server;
  port: number;
  /** Applies a membership change another process replicated here. */
  apply: (change: MembershipChange) => void;
}

/**
 * A socket.io Server listening on `host:port`, configured as every bench target's is. With `adapter` (the
 * node:cluster workers of the adapter targets) it takes websocket only: long-polling would need sticky
 * sessions between workers.
 */
export async function listenSocketIo(
  host: string,
  port: number,
  adapter?: ServerOptions['adapter'],
): Promise<{ io: Server; port: number }> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const io = new Server(http, {
    perMessageDeflate: false,
    httpCompression: false,
    serveClient: false,
    maxHttpBufferSize: 65_536,
    ...(adapter && { adapter, transports: ['websocket' as const] }),
  });
  await new Promise<void>((resolve, reject) => http.once('error', reject).listen(port, host, resolve));
  return { io, port: (http.address() as AddressInfo).port };
}

/**
 * The chat on plain socket.io (see chat-routes.ts) listening on `host:port`; queryEntry answers with
 * this server. `adapter` and `replicate` are for the node:cluster workers of the adapter target.
 */
export async function startChatServer(
  host: string,
  port: number,
  options: { adapter?: ServerOptions['adapter']; replicate?: (change: MembershipChange) => void } = {},
): Promise<ChatServer> {
  const { io, port: listening } = await listenSocketIo(host, port, options.adapter);
  const { apply } = serveChat(io, { entry: () => ({ host, port: listening }), ...(options.replicate && { replicate: options.replicate }) });
  return { io, port: listening, apply };
}
