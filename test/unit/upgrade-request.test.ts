import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { releaseUpgradeRequest } from '../../game-server/frontend/upgrade-request';

// A real socket.io server on loopback, as client-server.ts sets it up: the unit is what engine.io keeps per connection.
describe('releaseUpgradeRequest', () => {
  let http: HttpServer;
  let io: Server;
  let client: ClientSocket | undefined;

  beforeEach(async () => {
    http = createServer();
    io = new Server(http, { transports: ['websocket'] });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
  });

  afterEach(async () => {
    client?.disconnect();
    await io.close();
  });

  it("drops the upgrade request and the one 'close' listener of engine.io's WebSocketResponse that holds it", async () => {
    const released = new Promise<{ removed: number; request: unknown; closeListeners: number[] }>((resolve) => {
      io.engine.on('connection', (conn: { request: { socket: { listenerCount(e: string): number } } | null }) => {
        const tcp = conn.request!.socket;
        const before = tcp.listenerCount('close');
        const removed = releaseUpgradeRequest(conn as never);
        resolve({ removed, request: conn.request, closeListeners: [before, tcp.listenerCount('close')] });
      });
    });
    const { port } = http.address() as AddressInfo;
    client = connectClient(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
    const { removed, request, closeListeners } = await released;
    // Fails when an engine.io upgrade changes that listener: the release would then quietly do nothing.
    expect(removed).toBe(1);
    expect(request).toBeNull();
    expect(closeListeners[1]).toBe(closeListeners[0]! - 1);
    // The connection still works without them.
    const connected = client;
    if (!connected.connected) await new Promise((resolve) => connected.once('connect', () => resolve(undefined)));
    expect(connected.connected).toBe(true);
  });

  it('does nothing to a connection whose request is already gone', () => {
    const conn = { request: null };
    expect(releaseUpgradeRequest(conn)).toBe(0);
    expect(conn.request).toBeNull();
  });
});
