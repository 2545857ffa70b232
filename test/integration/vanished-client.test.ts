import { Route } from '../../app/protocol';
import { BlackholeProxy } from '../helpers/blackhole-proxy';
import { ChatClient, closeAllSockets, connect, queryEntry, request } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';

// Short heartbeats so the test runs in seconds; the defaults are 10 s + 5 s (.env.example).
const PING_INTERVAL_MS = 400;
// The name check below has at least this long after the cut, before the heartbeat can give up.
const PING_TIMEOUT_MS = 1000;

describe('a client whose network vanished (no FIN, no RST)', () => {
  let cluster: TestCluster;
  let proxy: BlackholeProxy | undefined;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      connectors: 1,
      chats: 1,
      env: { CLIENT_PING_INTERVAL_MS: String(PING_INTERVAL_MS), CLIENT_PING_TIMEOUT_MS: String(PING_TIMEOUT_MS) },
    });
  });

  afterAll(async () => {
    closeAllSockets();
    await proxy?.stop();
    await cluster?.stop();
  });

  it('leaves its room within the heartbeat interval + timeout, and its name is free again', async () => {
    const connector = cluster.byType('connector')[0]!;
    proxy = await BlackholeProxy.start(connector.host, connector.clientPort!);
    const walt = await connect('127.0.0.1', proxy.port);
    expect(await request(walt, Route.enter, { username: 'walt', rid: 'tunnel' })).toMatchObject({ code: 200 });
    const bob = await ChatClient.enter(cluster.gate, 'bob', 'tunnel');
    expect(bob.entered.users).toEqual(['walt', 'bob']);

    // Connected beforehand, so that checking the name after the cut takes one round trip, not the gate's and two
    // handshakes too: those took up to 523 ms on a busy machine, against a heartbeat that gave up after 576 ms.
    const entry = await queryEntry(cluster.gate, 'walt');
    if (entry.code !== 200) throw new Error(`queryEntry: ${JSON.stringify(entry)}`);
    const sameName = await connect(entry.host, entry.port);

    proxy.cut();
    const cutAt = Date.now();
    // Until the heartbeat gives up, walt is still in the room: the same name is taken.
    expect(await request(sameName, Route.enter, { username: 'walt', rid: 'tunnel' })).toMatchObject({ code: 409 });
    const checkedAfterMs = Date.now() - cutAt;

    await bob.waitFor('onLeave', (e) => e.user === 'walt', 5000);
    const leftAfterMs = Date.now() - cutAt;
    const again = await ChatClient.enter(cluster.gate, 'walt', 'tunnel');
    expect(again.entered.users).toEqual(['bob', 'walt']);
    process.stdout.write(
      `vanished client: onLeave ${leftAfterMs} ms after its network went silent (ping interval ${PING_INTERVAL_MS} + timeout ${PING_TIMEOUT_MS} ms), ` +
        `its name still taken ${checkedAfterMs} ms after; entered again at once\n`,
    );
    expect(leftAfterMs).toBeLessThan(PING_INTERVAL_MS + PING_TIMEOUT_MS + 1500);
  });
});
