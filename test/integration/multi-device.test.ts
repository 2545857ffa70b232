import { Route } from '../../app/protocol';
import { runAdmin } from '../helpers/admin-cli';
import { ChatClient, closeAllSockets } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';
import { roomsSpreadOver, userOn } from '../helpers/rooms';
import { signToken, TEST_AUTH_SECRET } from '../helpers/tokens';

const token = (username: string): { token: string } => ({ token: signToken({ sub: username }) });

/** Resolves when the server closed the client's socket. */
const disconnected = (client: ChatClient): Promise<string> =>
  client.socket.disconnected ? Promise.resolve('already') : new Promise((resolve) => client.socket.once('disconnect', resolve));

describe('many connections per user (AUTH_SECRET set)', () => {
  let cluster: TestCluster;
  let rooms: string[];

  beforeAll(async () => {
    cluster = await TestCluster.start({
      connectors: 2,
      chats: 2,
      env: { AUTH_SECRET: TEST_AUTH_SECRET, MAX_CONNECTIONS_PER_USER: '2' },
    });
    rooms = [...roomsSpreadOver(cluster.byType('chat'), 1, 'device-room').values()].flat();
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  it('lets a user hold MAX_CONNECTIONS_PER_USER connections (one more: 409), listed once, with one onAdd and one onLeave', async () => {
    const rid = rooms[0]!;
    const bob = await ChatClient.enter(cluster.gate, 'bob', rid, token('bob'));
    const phone = await ChatClient.enter(cluster.gate, 'ann', rid, token('ann'));
    const laptop = await ChatClient.enter(cluster.gate, 'ann', rid, token('ann'));
    expect(laptop.entered.users.sort()).toEqual(['ann', 'bob']);
    expect(laptop.entered.userCount).toBe(2);
    await expect(ChatClient.enter(cluster.gate, 'ann', rooms[1]!, token('ann'))).rejects.toThrow(
      /"code":409,"error":"\\"ann\\" already holds 2 connections \(MAX_CONNECTIONS_PER_USER\)"/,
    );

    await bob.send('hello ann');
    for (const device of [phone, laptop]) await device.waitFor('onChat', (m) => m.msg === 'hello ann');
    // Both devices get the room's messages, the sender's other device included.
    await phone.send('from the phone');
    await laptop.waitFor('onChat', (m) => m.msg === 'from the phone');
    await phone.waitFor('onChat', (m) => m.msg === 'from the phone');

    phone.close();
    await bob.send('ann is still here');
    await laptop.waitFor('onChat', (m) => m.msg === 'ann is still here');
    expect(bob.received('onAdd').filter((e) => e.user === 'ann')).toHaveLength(1);
    expect(bob.received('onLeave')).toEqual([]);
    laptop.close();
    expect(await bob.waitFor('onLeave')).toEqual({ user: 'ann', rid });
    bob.close();
  });

  it("sends a private message to all the target's connections in the room and the sender's other ones, not back to the sending one", async () => {
    const rid = rooms[1]!;
    const [cyd1, cyd2] = [
      await ChatClient.enter(cluster.gate, 'cyd', rid, token('cyd')),
      await ChatClient.enter(cluster.gate, 'cyd', rid, token('cyd')),
    ];
    const [dee1, dee2] = [
      await ChatClient.enter(cluster.gate, 'dee', rid, token('dee')),
      await ChatClient.enter(cluster.gate, 'dee', rid, token('dee')),
    ];
    const eli = await ChatClient.enter(cluster.gate, 'eli', rid, token('eli'));
    const sent = await cyd1.send('psst', 'dee');
    expect(sent).toMatchObject({ code: 200 });
    for (const device of [cyd2, dee1, dee2])
      expect(await device.waitFor('onChat', (m) => m.msg === 'psst')).toMatchObject({ rid, target: 'dee' });
    await cyd1.send('to all');
    await eli.waitFor('onChat', (m) => m.msg === 'to all');
    await cyd1.waitFor('onChat', (m) => m.msg === 'to all');
    expect(cyd1.received('onChat').map((m) => m.msg)).toEqual(['to all']);
    expect(eli.received('onChat').map((m) => m.msg)).toEqual(['to all']);
    for (const client of [cyd1, cyd2, dee1, dee2, eli]) client.close();
  });

  it("pushes a read marker to the user's other connections, and a kick reaches every connection of the user in that room", async () => {
    const rid = rooms[0]!;
    const fay1 = await ChatClient.enter(cluster.gate, 'fay', rid, token('fay'));
    const fay2 = await ChatClient.enter(cluster.gate, 'fay', rooms[1]!, token('fay'));
    await fay2.ask(Route.join, { rid });
    const { seq } = (await fay1.send('mark me')) as { seq: number };
    expect(await fay1.ask(Route.read, { rid, seq })).toEqual({ code: 200, readSeq: seq });
    expect(await fay2.waitFor('onRead')).toEqual({ rid, user: 'fay', seq });
    expect(fay1.received('onRead')).toEqual([]);

    const closed = disconnected(fay1);
    expect(await runAdmin(cluster, ['kick', 'fay', '--room', rid])).toMatchObject({ code: 0 });
    for (const device of [fay1, fay2]) expect(await device.waitFor('onKick')).toEqual({ rid, reason: 'removed by a moderator' });
    // fay1 was only in that room: closed; fay2 stays in its first room.
    expect(await closed).toBe('io server disconnect');
    expect(fay2.socket.connected).toBe(true);
    expect(await fay2.send('still here')).toMatchObject({ code: 200 });
    expect(await fay2.sendTo(rid, 'kicked?')).toMatchObject({ code: 403 });
    fay2.close();
  });

  it("keeps a user's devices whole through a kill -9 of their connector: both re-enter elsewhere and miss nothing", async () => {
    const rid = rooms[1]!;
    const [down, up] = cluster.byType('connector');
    const name = userOn(down!, cluster.byType('connector'), 'dev');
    const watcher = await ChatClient.enter(
      cluster.gate,
      userOn(up!, cluster.byType('connector'), 'watch'),
      rid,
      token(userOn(up!, cluster.byType('connector'), 'watch')),
    );
    const devices = [
      await ChatClient.enter(cluster.gate, name, rid, token(name)),
      await ChatClient.enter(cluster.gate, name, rid, token(name)),
    ];
    expect(devices.map((d) => d.connectorPort)).toEqual([down!.clientPort, down!.clientPort]);
    const first = (await watcher.send('before the crash')) as { seq: number };
    for (const device of devices) await device.waitFor('onChat', (m) => m.seq === first.seq);

    const gone = devices.map((d) => new Promise((resolve) => d.socket.once('disconnect', resolve)));
    await cluster.stopServer(down!.id, 'SIGKILL');
    await Promise.all(gone);
    const during = (await watcher.send('while the connector is down')) as { seq: number };
    expect(during.seq).toBe(first.seq + 1);

    const position = { lastSeq: first.seq, epoch: devices[0]!.entered.epoch };
    const again = { ...token(name), ...position };
    const back = [
      await ChatClient.enterWhenBack(cluster.gate, name, rid, again),
      await ChatClient.enterWhenBack(cluster.gate, name, rid, again),
    ];
    for (const device of back) {
      expect(device.connectorPort).toBe(up!.clientPort);
      expect(device.entered.history.map((m) => m.msg)).toEqual(['while the connector is down']);
      expect(device.entered.users.filter((u) => u === name)).toEqual([name]);
    }
    const after = (await watcher.send('after')) as { seq: number };
    for (const device of back) await device.waitFor('onChat', (m) => m.seq === after.seq);
    back[0]!.close();
    await watcher.send('one device left');
    await back[1]!.waitFor('onChat', (m) => m.msg === 'one device left');
    expect(watcher.received('onLeave').filter((e) => e.user === name)).toEqual([]);
    back[1]!.close();
    await watcher.waitFor('onLeave', (e) => e.user === name);
    watcher.close();
    // Back as it was for the next test: the gate sends users to that connector again.
    await cluster.startServer(down!.id);
    await cluster.waitUntilLinked();
  });

  it("takes only the refreshing connection out of a room its new token does not allow, not the user's other devices", async () => {
    const rid = rooms[0]!;
    const narrowed = await ChatClient.enter(cluster.gate, 'ivo', rooms[1]!, token('ivo'));
    await narrowed.ask(Route.join, { rid });
    const other = await ChatClient.enter(cluster.gate, 'ivo', rid, token('ivo'));
    const reply = await narrowed.ask(Route.refresh, { token: signToken({ sub: 'ivo', rooms: [rooms[1]!] }) });
    expect(reply).toMatchObject({ code: 200, left: [rid] });
    expect(await narrowed.waitFor('onKick')).toEqual({ rid, reason: `the token does not allow room "${rid}"` });
    expect(await other.send('still in it')).toMatchObject({ code: 200 });
    await other.waitFor('onChat', (m) => m.msg === 'still in it');
    expect(other.received('onKick')).toEqual([]);
    expect(narrowed.socket.connected).toBe(true);
    expect(await narrowed.sendTo(rid, 'out?')).toMatchObject({ code: 403 });
    narrowed.close();
    other.close();
  });

  it('joins only rooms the token allows (403), and refuses a join while the user is banned there (403)', async () => {
    const gus = await ChatClient.enter(cluster.gate, 'gus', rooms[0]!, { token: signToken({ sub: 'gus', rooms: [rooms[0]!] }) });
    expect(await gus.ask(Route.join, { rid: rooms[1]! })).toEqual({ code: 403, error: `the token does not allow room "${rooms[1]}"` });
    gus.close();

    expect(await runAdmin(cluster, ['ban', 'hap', '--room', rooms[1]!, '--minutes', '5'])).toMatchObject({ code: 0 });
    const hap = await ChatClient.enter(cluster.gate, 'hap', rooms[0]!, token('hap'));
    expect(await hap.ask(Route.join, { rid: rooms[1]! })).toMatchObject({
      code: 403,
      error: expect.stringMatching(/^you are banned from this room/),
    });
    expect(await hap.ask(Route.rooms, {})).toMatchObject({ code: 200, rooms: [{ rid: rooms[0] }] });
    hap.close();
  });
});
