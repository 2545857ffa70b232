import { Route, type EnterResult, type RoomMessage } from '../../app/protocol';
import { PrivateRedisServer } from '../../game-server/cli/private-redis-server';
import { runAdmin } from '../helpers/admin-cli';
import { ChatClient, closeAllSockets, connect, queryEntry, request } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';
import { roomsSpreadOver } from '../helpers/rooms';

/** Resolves when the server closed the client's socket. */
const disconnected = (client: ChatClient): Promise<string> =>
  client.socket.disconnected ? Promise.resolve('already') : new Promise((resolve) => client.socket.once('disconnect', resolve));

/** The onChat pushes of room `rid`, as `content` strings. */
const chatsIn = (client: ChatClient, rid: string): string[] =>
  client
    .received('onChat')
    .filter((m: RoomMessage) => m.rid === rid)
    .map((m) => m.msg);

describe.each(['memory', 'redis'] as const)('many rooms per connection (%s store)', (store) => {
  let cluster: TestCluster;
  let redis: PrivateRedisServer | undefined;
  /** Two rooms on each chat server, so a connection's rooms live on different chat servers. */
  let rooms: string[];

  beforeAll(async () => {
    if (store === 'redis') redis = await PrivateRedisServer.start();
    cluster = await TestCluster.start({
      connectors: 2,
      chats: 2,
      env: {
        HISTORY_STORE: store,
        MAX_ROOMS_PER_CONNECTION: '3',
        PRESENCE_MAX_MEMBERS: '3',
        ...(redis && { REDIS_URL: redis.url }),
      },
    });
    const spread = roomsSpreadOver(cluster.byType('chat'), 2, `${store}-room`);
    rooms = [...spread.values()].flat();
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
    await redis?.stop();
  });

  it('joins a room on another chat server: an enter-shaped reply, onAdd with rid, and each room gets only its own messages', async () => {
    const [first, second] = [rooms[0]!, rooms[2]!];
    const ann = await ChatClient.enter(cluster.gate, 'ann', first);
    expect(ann.entered).toMatchObject({ users: ['ann'], userCount: 1, readSeq: 0, unread: 0, lastSeq: 0 });
    const bob = await ChatClient.enter(cluster.gate, 'bob', second);
    const joined = await ann.ask(Route.join, { rid: second });
    expect(joined).toMatchObject({ code: 200, users: ['bob', 'ann'], userCount: 2, history: [], lastSeq: 0, recovered: true });
    expect(await bob.waitFor('onAdd')).toEqual({ user: 'ann', rid: second });

    expect(await ann.sendTo(second, 'to the second room')).toMatchObject({ code: 200, seq: 1 });
    // Without rid: the room the connection entered with, as a Pomelo-demo client sends.
    expect(await ann.send('to the first room')).toMatchObject({ code: 200, seq: 1 });
    await bob.waitFor('onChat', (m) => m.msg === 'to the second room');
    await ann.waitFor('onChat', (m) => m.msg === 'to the first room');
    expect(await ann.waitFor('onChat', (m) => m.msg === 'to the second room')).toMatchObject({ rid: second, seq: 1, from: 'ann' });
    expect(chatsIn(ann, first)).toEqual(['to the first room']);
    expect(chatsIn(bob, first)).toEqual([]);

    const history = await ann.ask(Route.history, { rid: second });
    expect(history).toMatchObject({ code: 200, lastSeq: 1 });
    ann.close();
    bob.close();
  });

  it('refuses a join twice (409), before enter (403), past MAX_ROOMS_PER_CONNECTION (403) and a bad rid (400)', async () => {
    const cat = await ChatClient.enter(cluster.gate, 'cat', rooms[0]!);
    expect(await cat.ask(Route.join, { rid: rooms[0]! })).toEqual({ code: 409, error: `this connection is already in room "${rooms[0]}"` });
    expect(await cat.ask(Route.join, { rid: rooms[1]! })).toMatchObject({ code: 200 });
    expect(await cat.ask(Route.join, { rid: rooms[2]! })).toMatchObject({ code: 200 });
    expect(await cat.ask(Route.join, { rid: rooms[3]! })).toEqual({
      code: 403,
      error: 'a connection may be in at most 3 rooms (MAX_ROOMS_PER_CONNECTION)',
    });
    expect(await cat.ask(Route.join, { rid: '' })).toMatchObject({ code: 400, error: 'rid must not be empty' });
    expect(await cat.ask(Route.join, { rid: 42 } as never)).toMatchObject({ code: 400, error: 'rid must be a string' });

    const entry = await queryEntry(cluster.gate, 'dan');
    if (entry.code !== 200) throw new Error(JSON.stringify(entry));
    const socket = await connect(entry.host, entry.port);
    expect(await request(socket, Route.join, { rid: rooms[0]! })).toEqual({ code: 403, error: 'enter a room first' });
    expect(await request(socket, Route.send, { rid: rooms[0]!, content: 'hi', target: '*' })).toEqual({
      code: 403,
      error: 'enter a room first',
    });
    socket.disconnect();
    cat.close();
  });

  it("refuses to send to or read a room the connection is not in (403), even when another member's room is named", async () => {
    const eve = await ChatClient.enter(cluster.gate, 'eve', rooms[0]!);
    const fred = await ChatClient.enter(cluster.gate, 'fred', rooms[1]!);
    expect(await eve.sendTo(rooms[1]!, 'sneaking in')).toEqual({ code: 403, error: `join room "${rooms[1]}" first` });
    expect(await eve.ask(Route.history, { rid: rooms[1]! })).toEqual({ code: 403, error: `join room "${rooms[1]}" first` });
    expect(await eve.ask(Route.typing, { rid: rooms[1]!, typing: true })).toMatchObject({ code: 403 });
    expect(await eve.ask(Route.read, { rid: rooms[1]!, seq: 1 })).toMatchObject({ code: 403 });
    expect(await eve.ask(Route.leave, { rid: rooms[1]! })).toEqual({ code: 404, error: `this connection is not in room "${rooms[1]}"` });
    expect(chatsIn(fred, rooms[1]!)).toEqual([]);
    eve.close();
    fred.close();
  });

  it('leaves one room: onLeave there, nothing more from it; a connection in no room stays open and joins again', async () => {
    const gil = await ChatClient.enter(cluster.gate, 'gil', rooms[0]!);
    const hal = await ChatClient.enter(cluster.gate, 'hal', rooms[0]!);
    await gil.ask(Route.join, { rid: rooms[3]! });
    expect(await gil.ask(Route.leave, { rid: rooms[0]! })).toEqual({ code: 200 });
    expect(await hal.waitFor('onLeave', (e) => e.user === 'gil')).toEqual({ user: 'gil', rid: rooms[0] });
    expect(await gil.send('to the room I left')).toEqual({ code: 403, error: `join room "${rooms[0]}" first` });
    await hal.send('after gil left');
    expect(await gil.sendTo(rooms[3]!, 'still here')).toMatchObject({ code: 200 });
    await gil.waitFor('onChat', (m) => m.msg === 'still here');
    expect(chatsIn(gil, rooms[0]!)).toEqual([]);

    expect(await gil.ask(Route.leave, { rid: rooms[3]! })).toEqual({ code: 200 });
    expect(gil.socket.connected).toBe(true);
    expect(await gil.ask(Route.rooms, {})).toEqual({ code: 200, rooms: [] });
    const back = await gil.ask(Route.join, { rid: rooms[0]! });
    expect(back).toMatchObject({ code: 200, userCount: 2 });
    expect((back as EnterResult).history.map((m) => m.msg).slice(-1)).toEqual(['after gil left']);
    gil.close();
    hal.close();
  });

  it('pushes typing to the others, at most one typing:true per 2 s, and typing:false when the typist sends or leaves', async () => {
    const [rid] = [rooms[1]!];
    const ivy = await ChatClient.enter(cluster.gate, 'ivy', rid);
    const jon = await ChatClient.enter(cluster.gate, 'jon', rid);
    expect(await ivy.ask(Route.typing, { rid, typing: true })).toEqual({ code: 200 });
    expect(await ivy.ask(Route.typing, { rid, typing: true })).toEqual({ code: 200 });
    await ivy.send('done typing');
    await jon.waitFor('onChat', (m) => m.msg === 'done typing');
    // Pushes of one room reach a connector in order: the second typing:true would be here by now.
    expect(jon.received('onTyping')).toEqual([
      { rid, user: 'ivy', typing: true },
      { rid, user: 'ivy', typing: false },
    ]);
    expect(ivy.received('onTyping')).toEqual([]);

    await ivy.ask(Route.typing, { rid, typing: true });
    await jon.waitFor('onTyping', (e) => e.typing && jon.received('onTyping').length === 3);
    ivy.close();
    await jon.waitFor('onLeave', (e) => e.user === 'ivy');
    expect(jon.received('onTyping').slice(2)).toEqual([
      { rid, user: 'ivy', typing: true },
      { rid, user: 'ivy', typing: false },
    ]);
    jon.close();
  });

  it('keeps read markers: forward only, pushed as onRead in a small room, and in the enter reply with unread', async () => {
    const rid = rooms[2]!;
    const kim = await ChatClient.enter(cluster.gate, 'kim', rid);
    const lea = await ChatClient.enter(cluster.gate, 'lea', rid);
    for (const text of ['one', 'two', 'three']) await lea.send(text);
    await kim.waitFor('onChat', (m) => m.msg === 'three');
    const base = kim.received('onChat')[0]!.seq - 1;
    expect(await kim.ask(Route.read, { rid, seq: base + 1 })).toEqual({ code: 200, readSeq: base + 1 });
    expect(await lea.waitFor('onRead')).toEqual({ rid, user: 'kim', seq: base + 1 });
    expect(kim.received('onRead')).toEqual([]);
    expect(await kim.ask(Route.read, { rid, seq: 0 })).toEqual({ code: 200, readSeq: base + 1 });
    // A marker past the log's head stops at the head.
    expect(await kim.ask(Route.read, { rid, seq: 1_000_000 })).toMatchObject({ readSeq: base + 3 });
    expect(await kim.ask(Route.read, { rid, seq: -1 })).toMatchObject({ code: 400 });

    // Unread: others' messages after the marker (lea's own never count for her).
    expect(await kim.ask(Route.rooms, {})).toEqual({
      code: 200,
      rooms: [{ rid, epoch: kim.entered.epoch, lastSeq: base + 3, readSeq: base + 3, unread: 0, userCount: 2 }],
    });
    expect(await lea.ask(Route.rooms, {})).toMatchObject({ rooms: [{ rid, readSeq: 0 }] });
    kim.close();
    await lea.waitFor('onLeave', (e) => e.user === 'kim');
    await lea.send('four');
    const back = await ChatClient.enter(cluster.gate, 'kim', rid);
    expect(back.entered).toMatchObject({ readSeq: base + 3, unread: 1, lastSeq: base + 4 });
    back.close();
    lea.close();
  });

  it('keeps presence to PRESENCE_MAX_MEMBERS: no onAdd or onLeave past it, users cut to it, userCount in full', async () => {
    const rid = rooms[3]!;
    const members = [];
    for (const name of ['p1', 'p2', 'p3']) members.push(await ChatClient.enter(cluster.gate, name, rid));
    await members[0]!.waitFor('onAdd', (e) => e.user === 'p3');
    const fourth = await ChatClient.enter(cluster.gate, 'p4', rid);
    expect(fourth.entered.users).toHaveLength(3);
    expect(fourth.entered.userCount).toBe(4);
    await fourth.send('p4 is here');
    await members[0]!.waitFor('onChat', (m) => m.msg === 'p4 is here');
    expect(members[0]!.received('onAdd').map((e) => e.user)).toEqual(['p2', 'p3']);
    // Leaving a room of 4: no onLeave; of 3: onLeave again. A leave is answered once the chat server has it.
    expect(await fourth.ask(Route.leave, { rid })).toEqual({ code: 200 });
    members[2]!.close();
    await members[0]!.waitFor('onLeave', (e) => e.user === 'p3');
    expect(members[0]!.received('onLeave').map((e) => e.user)).toEqual(['p3']);
    for (const member of members) member.close();
  });

  it('kicks from one room only: onKick with rid, the connection stays in its other rooms; kicked from its last room it closes', async () => {
    const [a, b] = [rooms[0]!, rooms[1]!];
    const max = await ChatClient.enter(cluster.gate, 'max', a);
    const ned = await ChatClient.enter(cluster.gate, 'ned', b);
    await max.ask(Route.join, { rid: b });
    expect(await runAdmin(cluster, ['kick', 'max', '--room', b, '--reason', 'off topic'])).toMatchObject({ code: 0 });
    expect(await max.waitFor('onKick')).toEqual({ rid: b, reason: 'off topic' });
    await ned.waitFor('onLeave', (e) => e.user === 'max');
    expect(max.socket.connected).toBe(true);
    expect(await max.sendTo(b, 'back?')).toMatchObject({ code: 403 });
    expect(await max.send('still in the first')).toMatchObject({ code: 200 });

    const gone = disconnected(max);
    expect(await runAdmin(cluster, ['kick', 'max', '--room', a])).toMatchObject({ code: 0 });
    expect(await gone).toBe('io server disconnect');
    ned.close();
  });

  it('without AUTH_SECRET, a name holds one connection per room (409), as before', async () => {
    const oz = await ChatClient.enter(cluster.gate, 'oz', rooms[0]!);
    await expect(ChatClient.enter(cluster.gate, 'oz', rooms[0]!)).rejects.toThrow(/"code":409/);
    const other = await ChatClient.enter(cluster.gate, 'oz', rooms[1]!);
    expect(await other.ask(Route.join, { rid: rooms[0]! })).toEqual({ code: 409, error: 'the name "oz" is already taken in this room' });
    other.close();
    oz.close();
  });
});
