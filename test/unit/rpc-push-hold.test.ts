import type { ServerInfo } from '../../game-server/config/server-info';
import { createLogger } from '../../game-server/logger';
import { freePorts } from '../../game-server/free-ports';
import { RpcClient } from '../../game-server/rpc/rpc-client';
import type { PushMessage } from '../../game-server/rpc/rpc-messages';
import { RpcServer } from '../../game-server/rpc/rpc-server';
import { sleep } from '../../game-server/sleep';
import { waitUntil } from '../helpers/wait';

// A link on loopback inside this test process: the unit is the client's handling of a peer not up yet.
const SECRET = 'unit-secret';
const log = createLogger('rpc-push-hold-test', 'silent');

async function peerOnFreePort(id: string): Promise<{ peer: ServerInfo; received: PushMessage[]; start: () => Promise<RpcServer> }> {
  const [port] = await freePorts(1);
  const peer = { id, serverType: 'connector', host: '127.0.0.1', port: port! } satisfies ServerInfo;
  const received: PushMessage[] = [];
  const dispatcher = {
    call: () => Promise.reject(new Error('not in this test')),
    forward: () => Promise.reject(new Error('not in this test')),
    push: (push: PushMessage) => void received.push(push),
  };
  return {
    peer,
    received,
    start: async () => {
      const server = new RpcServer({ host: peer.host, port: peer.port, secret: SECRET, log, dispatcher });
      await server.start();
      return server;
    },
  };
}

const pushNumber = (n: number): PushMessage => ({ route: 'onChat', msg: { n }, uids: ['u'] });

describe('pushes to a peer whose link is not up', () => {
  const clients: RpcClient[] = [];
  const servers: RpcServer[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const server of servers.splice(0)) await server.stop();
  });

  it('are held while the peer is still starting and arrive in order once it listens', async () => {
    const { peer, received, start } = await peerOnFreePort('connector-late');
    const client = new RpcClient({ selfId: 'chat-1', secret: SECRET, timeoutMs: 1000, log, startupGraceMs: 5000 });
    clients.push(client);
    for (let n = 0; n < 3; n++) expect(client.push(peer, pushNumber(n))).toBe(true);
    await sleep(300);
    expect(client.linkStates()).toEqual({ [peer.id]: 'starting' });
    servers.push(await start());
    await waitUntil(() => received.length === 3, 3000, 'the three held pushes arrived');
    expect(client.linkStates()).toEqual({ [peer.id]: 'up' });
    expect(received.map((p) => (p.msg as { n: number }).n)).toEqual([0, 1, 2]);
    // Once up, pushes go straight through, after the held ones.
    expect(client.push(peer, pushNumber(3))).toBe(true);
    await waitUntil(() => received.length === 4, 3000, 'the fourth push arrived');
    expect((received[3]!.msg as { n: number }).n).toBe(3);
  });

  it('are dropped (reported false) once the start-up grace is over and the peer is down', async () => {
    const { peer, received, start } = await peerOnFreePort('connector-never');
    const client = new RpcClient({ selfId: 'chat-1', secret: SECRET, timeoutMs: 1000, log, startupGraceMs: 200 });
    clients.push(client);
    expect(client.push(peer, pushNumber(0))).toBe(true);
    await waitUntil(() => client.isDown(peer.id), 3000, 'the peer counted as down');
    expect(client.linkStates()).toEqual({ [peer.id]: 'down' });
    expect(client.push(peer, pushNumber(1))).toBe(false);
    // What was held when the peer went down is gone with it, not replayed to a later server.
    servers.push(await start());
    await waitUntil(() => client.isUp(peer.id), 3000, 'the peer counted as up');
    expect(client.push(peer, pushNumber(2))).toBe(true);
    await waitUntil(() => received.length > 0, 3000, 'a push arrived');
    await sleep(100);
    expect(received.map((p) => (p.msg as { n: number }).n)).toEqual([2]);
  });

  it('are held again for a restarted peer that linked to us before our link to it came back', async () => {
    const { peer, received, start } = await peerOnFreePort('connector-restarted');
    const client = new RpcClient({ selfId: 'chat-1', secret: SECRET, timeoutMs: 1000, log, startupGraceMs: 5000 });
    clients.push(client);
    const first = await start();
    servers.push(first);
    client.connect(peer);
    await waitUntil(() => client.isUp(peer.id), 3000, 'the link came up');
    await first.stop();
    await waitUntil(() => client.isDown(peer.id), 3000, 'the peer counted as down');
    expect(client.push(peer, pushNumber(0))).toBe(false);

    // The restarted peer's own link to us arrives first (RpcServer reports it as peerLinked).
    client.peerLinked(peer.id);
    expect(client.isDown(peer.id)).toBe(false);
    for (let n = 1; n <= 2; n++) expect(client.push(peer, pushNumber(n))).toBe(true);
    servers.push(await start());
    await waitUntil(() => received.length === 2, 3000, 'the two held pushes arrived');
    expect(received.map((p) => (p.msg as { n: number }).n)).toEqual([1, 2]);
  });

  it('are dropped again once a peer that linked to us stays unreachable past the start-up grace', async () => {
    const { peer, start } = await peerOnFreePort('connector-unreachable');
    const client = new RpcClient({ selfId: 'chat-1', secret: SECRET, timeoutMs: 1000, log, startupGraceMs: 300 });
    clients.push(client);
    const first = await start();
    servers.push(first);
    client.connect(peer);
    await waitUntil(() => client.isUp(peer.id), 3000, 'the link came up');
    await first.stop();
    await waitUntil(() => client.isDown(peer.id), 3000, 'the peer counted as down');
    client.peerLinked(peer.id);
    expect(client.push(peer, pushNumber(0))).toBe(true);
    await waitUntil(() => client.isDown(peer.id), 3000, 'the peer counted as down again');
    expect(client.push(peer, pushNumber(1))).toBe(false);
  });
});
