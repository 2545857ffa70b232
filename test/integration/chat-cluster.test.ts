import CRC32 from 'crc-32';
import { Route } from '../../app/protocol';
import { ChatClient, closeAllSockets, connect, queryEntry, request } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';
import { roomsSpreadOver } from '../helpers/rooms';

const RPC_TIMEOUT_MS = 1000;

describe('the chat cluster (3 connectors, 3 chat servers, real processes)', () => {
  let cluster: TestCluster;
  /** rid -> its members, in order of entering. */
  const rooms = new Map<string, ChatClient[]>();
  let roomsByServer: Map<string, string[]>;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      connectors: 3,
      chats: 3,
      env: { RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS), RATE_LIMIT_BURST: '500' },
    });
    roomsByServer = roomsSpreadOver(cluster.byType('chat'), 2);
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  it('gives each uid the connector connectors[abs(crc32(uid)) % N]', async () => {
    const connectors = cluster.byType('connector');
    const gate = await connect(cluster.gate.host, cluster.gate.port);
    const used = new Set<number>();
    for (let i = 0; i < 120; i++) {
      const uid = `user-${i}`;
      const reply = await request<{ host: string; port: number }>(gate, Route.queryEntry, { uid });
      const expected = connectors[Math.abs(CRC32.str(uid)) % connectors.length]!;
      expect(reply).toEqual({ code: 200, host: expected.host, port: expected.clientPort });
      used.add(expected.clientPort!);
    }
    gate.disconnect();
    expect(used.size).toBe(3);
  });

  it('enters 3 users into each of 6 rooms spread over all 3 chat servers, each seeing the room grow', async () => {
    for (const rid of [...roomsByServer.values()].flat()) {
      const members: ChatClient[] = [];
      for (const name of ['ann', 'ben', 'cat']) {
        const client = await ChatClient.enter(cluster.gate, name, rid);
        expect(client.entered.users).toEqual([...members.map((m) => m.username), name]);
        members.push(client);
      }
      rooms.set(rid, members);
    }
    // Every earlier member was told of each later one.
    for (const [, [ann, ben, cat]] of rooms) {
      await ann!.waitFor('onAdd', (e) => e.user === 'cat');
      expect(ann!.received('onAdd').map((e) => e.user)).toEqual(['ben', 'cat']);
      await ben!.waitFor('onAdd', (e) => e.user === 'cat');
      expect(ben!.received('onAdd').map((e) => e.user)).toEqual(['cat']);
      expect(cat!.received('onAdd')).toEqual([]);
    }
    // The users landed on several connectors.
    expect(new Set([...rooms.values()].flat().map((c) => c.connectorPort)).size).toBeGreaterThan(1);
  });

  it('delivers a broadcast to everyone in the room and to no one else', async () => {
    for (const [rid, [ann]] of rooms) {
      expect(await ann!.send(`hello ${rid}`)).toEqual({ code: 200, id: expect.any(Number), seq: expect.any(Number) });
    }
    for (const [rid, members] of rooms) {
      for (const member of members) {
        const got = await member.waitFor('onChat', (m) => m.msg === `hello ${rid}`);
        expect(got).toMatchObject({ from: 'ann', target: '*', msg: `hello ${rid}` });
      }
    }
    for (const [rid, members] of rooms) {
      for (const member of members) {
        expect(member.received('onChat').map((m) => m.msg)).toEqual([`hello ${rid}`]);
      }
    }
  });

  it('delivers a private message to its target only', async () => {
    const [rid, [ann, ben, cat]] = [...rooms][0]!;
    expect(await ann!.send('just for cat', 'cat')).toMatchObject({ code: 200 });
    const got = await cat!.waitFor('onChat', (m) => m.msg === 'just for cat');
    expect(got).toMatchObject({ from: 'ann', target: 'cat' });
    // A broadcast sent after it is a fence: pushes reach each connector in order.
    await ann!.send('fence');
    await ben!.waitFor('onChat', (m) => m.msg === 'fence');
    await ann!.waitFor('onChat', (m) => m.msg === 'fence');
    expect(ben!.received('onChat').map((m) => m.msg)).not.toContain('just for cat');
    expect(ann!.received('onChat').map((m) => m.msg)).not.toContain('just for cat');
    expect(rid).toBeTruthy();
  });

  it('refuses a second user with the same name in a room with 409, and allows it in another room', async () => {
    const [rid] = [...rooms][0]!;
    await expect(ChatClient.enter(cluster.gate, 'ann', rid)).rejects.toThrow(/"code":409/);
    const elsewhere = await ChatClient.enter(cluster.gate, 'ann', 'a-room-of-her-own');
    expect(elsewhere.entered.users).toEqual(['ann']);
    elsewhere.close();
  });

  it('answers bad input with an error code and a reason', async () => {
    const entry = await queryEntry(cluster.gate, 'dora');
    if (entry.code !== 200) throw new Error('no connector');
    const socket = await connect(entry.host, entry.port);
    const gate = await connect(cluster.gate.host, cluster.gate.port);
    const cases: [typeof socket, string, unknown, number][] = [
      [gate, Route.queryEntry, {}, 400],
      [gate, Route.queryEntry, { uid: 42 }, 400],
      [gate, Route.queryEntry, 'alice', 400],
      [socket, Route.send, { content: 'too early', target: '*' }, 403],
      [socket, Route.enter, { username: '', rid: 'x' }, 400],
      [socket, Route.enter, { username: 'x'.repeat(33), rid: 'x' }, 400],
      [socket, Route.enter, { username: 'a*b', rid: 'x' }, 400],
      [socket, Route.enter, { username: 'dora', rid: 'r'.repeat(65) }, 400],
      [socket, Route.enter, null, 400],
      [socket, 'no.such.route', {}, 404],
      [socket, 'chat.chatRemote.add', { args: [] }, 404],
      [socket, 'connector.entryHandler.__proto__', {}, 404],
      [socket, 'gate.gateHandler.queryEntry', { uid: 'x' }, 404],
    ];
    for (const [target, route, body, code] of cases) {
      const reply = await request(target, route, body);
      expect({ route, body, reply }).toEqual({ route, body, reply: { code, error: expect.any(String) } });
    }
    // Still works after all that.
    expect(await request(socket, Route.enter, { username: 'dora', rid: 'calm' })).toMatchObject({ code: 200, users: ['dora'] });
    const [, [ann]] = [...rooms][1]!;
    expect(await ann!.send('x'.repeat(2001))).toMatchObject({ code: 400 });
    expect(await ann!.send('hi', 'nobody-here')).toMatchObject({ code: 400 });
    socket.disconnect();
    gate.disconnect();
  });

  it('tells the others when a user leaves by disconnecting', async () => {
    const [, members] = [...rooms][2]!;
    const [ann, ben, cat] = members;
    cat!.close();
    await ann!.waitFor('onLeave', (e) => e.user === 'cat');
    await ben!.waitFor('onLeave', (e) => e.user === 'cat');
    members.pop();
  });

  it('keeps each room on chats[abs(crc32(rid)) % N]: stopping one chat server stops exactly its rooms, with 503', async () => {
    const [stoppedId, stoppedRooms] = [...roomsByServer][1]!;
    await cluster.stopServer(stoppedId, 'SIGKILL');
    for (const [serverId, rids] of roomsByServer) {
      for (const rid of rids) {
        const [sender] = rooms.get(rid)!;
        const started = Date.now();
        const reply = await sender!.send(`after stop ${rid}`, '*', 3 * RPC_TIMEOUT_MS);
        if (serverId === stoppedId) {
          expect(reply).toMatchObject({ code: 503, error: expect.stringContaining(stoppedId) });
          expect(Date.now() - started).toBeLessThan(RPC_TIMEOUT_MS + 500);
        } else {
          expect(reply).toMatchObject({ code: 200 });
        }
      }
    }
    expect(stoppedRooms).toHaveLength(2);
  });
});
