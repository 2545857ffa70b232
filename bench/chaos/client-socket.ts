/** The client side of the wire for the tests and the chaos harness: socket.io-client connections, requests with a timeout, the gate. */
import { io, type Socket } from 'socket.io-client';
import { Route, type ClientToServerEvents, type QueryEntryResult, type Reply, type ServerToClientEvents } from '../../app/protocol';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const openSockets = new Set<Socket>();

/** A socket.io-client connection to host:port, websocket only, connected. */
export async function connect(host: string, port: number, timeoutMs = 5000): Promise<ClientSocket> {
  const socket: ClientSocket = io(`http://${host}:${port}`, {
    transports: ['websocket'],
    reconnection: false,
    timeout: timeoutMs,
    forceNew: true,
  });
  openSockets.add(socket);
  socket.on('disconnect', () => openSockets.delete(socket));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
  } catch (err) {
    // A failed attempt leaves nothing open (a harness retries thousands of times while a server is down).
    socket.disconnect();
    openSockets.delete(socket);
    throw err;
  }
  return socket;
}

/** Sends one request and waits for its reply (or rejects after `timeoutMs`: a hang is a failure). */
export function request<T = Record<string, unknown>>(socket: Socket, route: string, body: unknown, timeoutMs = 5000): Promise<Reply<T>> {
  return socket.timeout(timeoutMs).emitWithAck(route, body) as Promise<Reply<T>>;
}

/** Asks the gate for the connector of `uid`. */
export async function queryEntry(gate: { host: string; port: number }, uid: string): Promise<Reply<QueryEntryResult>> {
  const socket = await connect(gate.host, gate.port);
  try {
    return await request<QueryEntryResult>(socket, Route.queryEntry, { uid });
  } finally {
    socket.disconnect();
  }
}

/** Disconnects every socket opened here (call in afterAll). */
export function closeAllSockets(): void {
  for (const socket of openSockets) socket.disconnect();
  openSockets.clear();
}
