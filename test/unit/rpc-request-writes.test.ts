import type { Socket as NetSocket } from 'node:net';
import type { ServerInfo } from '../../game-server/config/server-info';
import { createLogger } from '../../game-server/logger';
import { freePorts } from '../../game-server/free-ports';
import { RpcClient } from '../../game-server/rpc/rpc-client';
import { clientTransport } from '../../game-server/rpc/coalesce-flushes';
import type { ClientResponse, ForwardedRequest, PushMessage } from '../../game-server/rpc/rpc-messages';
import { RpcServer } from '../../game-server/rpc/rpc-server';
import { waitUntil } from '../helpers/wait';

// A link on loopback inside this test process: the unit is when the client's requests reach the kernel,
// and that a server tells its dispatcher before it delivers a push batch.
const SECRET = 'unit-secret';
const log = createLogger('rpc-request-writes-test', 'silent');
const request = (n: number): ForwardedRequest => ({
  route: 'chat.chatHandler.send',
  body: { n },
  session: { id: 's', uid: 'u', frontendId: 'connector-1', settings: {} },
});

describe('requests and pushes on a link', () => {
  let server: RpcServer;
  let client: RpcClient;
  let peer: ServerInfo;
  const events: string[] = [];

  beforeAll(async () => {
    const [port] = await freePorts(1);
    peer = { id: 'chat-1', serverType: 'chat', host: '127.0.0.1', port: port! };
    server = new RpcServer({
      host: peer.host,
      port: peer.port!,
      secret: SECRET,
      log,
      dispatcher: {
        call: () => Promise.reject(new Error('not in this test')),
        forward: async (r: ForwardedRequest): Promise<ClientResponse> => ({ code: 200, n: r.body.n }),
        beforePushes: () => void events.push('before'),
        push: (p: PushMessage) => void events.push(`push ${String(p.msg)}`),
      },
    });
    await server.start();
    client = new RpcClient({ selfId: 'connector-1', secret: SECRET, timeoutMs: 2000, log });
    client.connect(peer);
    await waitUntil(() => client.isUp(peer.id), 3000, 'the link is up');
  });

  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it('hold the forwards of one turn in the link until the turn ends (or sendHeldRequests), then answer each', async () => {
    const tcp = clientTransport(client.connect(peer)).tcp as NetSocket;
    const answers = [1, 2, 3].map((n) => client.forward(peer, request(n)));
    // The forwards are emitted after a microtask (the link is looked up first); the turn has not ended.
    await Promise.resolve();
    await Promise.resolve();
    expect(tcp.writableCorked).toBe(1);
    expect(tcp.writableLength).toBeGreaterThan(0);
    client.sendHeldRequests();
    expect(tcp.writableCorked).toBe(0);
    expect((await Promise.all(answers)).map((a) => a.n)).toEqual([1, 2, 3]);
    // A later turn holds again, and its end sends.
    expect((await client.forward(peer, request(4))).n).toBe(4);
    expect(tcp.writableCorked).toBe(0);
  });

  it('tell the dispatcher before a push batch is delivered', async () => {
    events.length = 0;
    const connector = { id: 'connector-x', serverType: 'connector', host: peer.host, port: peer.port } satisfies ServerInfo;
    const pusher = new RpcClient({ selfId: 'chat-2', secret: SECRET, timeoutMs: 2000, log });
    try {
      pusher.connect(connector);
      await waitUntil(() => pusher.isUp(connector.id), 3000, 'the pushing link is up');
      pusher.push(connector, { route: 'onChat', msg: 'a', uids: ['u'] });
      pusher.push(connector, { route: 'onChat', msg: 'b', uids: ['u'] });
      await waitUntil(() => events.length === 3, 3000, 'the batch arrived');
      expect(events).toEqual(['before', 'push a', 'push b']);
    } finally {
      pusher.close();
    }
  });
});
