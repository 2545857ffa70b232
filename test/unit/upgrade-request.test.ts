import { releaseUpgradeRequest } from '../../game-server/frontend/upgrade-request';
import { LoopbackSocketIo } from '../helpers/loopback-socket-io';

// A real socket.io server on loopback, as client-server.ts sets it up: the unit is what engine.io keeps per connection.
describe('releaseUpgradeRequest', () => {
  let server: LoopbackSocketIo;

  beforeEach(async () => {
    server = await LoopbackSocketIo.start();
  });

  afterEach(() => server.close());

  it("drops the upgrade request and the one 'close' listener of engine.io's WebSocketResponse that holds it", async () => {
    const released = new Promise<{ removed: number; request: unknown; closeListeners: number[] }>((resolve) => {
      server.io.engine.on('connection', (conn: { request: { socket: { listenerCount(e: string): number } } | null }) => {
        const tcp = conn.request!.socket;
        const before = tcp.listenerCount('close');
        const removed = releaseUpgradeRequest(conn as never);
        resolve({ removed, request: conn.request, closeListeners: [before, tcp.listenerCount('close')] });
      });
    });
    const client = server.connect();
    const { removed, request, closeListeners } = await released;
    // Fails when an engine.io upgrade changes that listener: the release would then quietly do nothing.
    expect(removed).toBe(1);
    expect(request).toBeNull();
    expect(closeListeners[1]).toBe(closeListeners[0]! - 1);
    // The connection still works without them.
    if (!client.connected) await new Promise((resolve) => client.once('connect', () => resolve(undefined)));
    expect(client.connected).toBe(true);
  });

  it('does nothing to a connection whose request is already gone', () => {
    const conn = { request: null };
    expect(releaseUpgradeRequest(conn)).toBe(0);
    expect(conn.request).toBeNull();
  });
});
