/**
 * chatofpomelo-client (client/) against real clusters: delivery once and in order, reconnection through
 * the gate after a connector's kill -9, resent sends, token refresh, a lost room log, and the README's
 * example run verbatim with node.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ChatClient, type ChatClientEvents, type RoomMessage, type StateEvent } from 'chatofpomelo-client';
import type { ServerInfo } from '../../game-server/config/server-info';
import { dispatch } from '../../game-server/router/dispatch';
import { PROJECT_ROOT, TestCluster } from '../helpers/cluster';
import { ServerApi } from '../helpers/server-api';
import { epochSeconds, signToken, TEST_AUTH_SECRET } from '../helpers/tokens';
import { waitUntil } from '../helpers/wait';

const WAIT_MS = 20_000;
const API_KEY = 'client-library-test-api-key-0123';

/** A client with what it saw: messages, states and any other event, in arrival order. */
interface Watched {
  client: ChatClient;
  messages: RoomMessage[];
  states: StateEvent[];
  events: { [K in keyof ChatClientEvents]?: ChatClientEvents[K][] };
}

function watch(client: ChatClient): Watched {
  const watched: Watched = { client, messages: [], states: [], events: {} };
  client.on('message', (m) => watched.messages.push(m));
  client.on('state', (s) => watched.states.push(s));
  for (const name of ['recovered', 'kicked', 'tokenRefreshed', 'join', 'leave', 'rejoined'] as const) {
    client.on(name, (payload: unknown) => ((watched.events[name] ??= []) as unknown[]).push(payload));
  }
  return watched;
}

const texts = (w: Watched, rid: string): string[] => w.messages.filter((m) => m.rid === rid).map((m) => m.msg);

/** Seqs strictly increase (in order, no repeat). */
function expectInOrderOnce(w: Watched, rid: string): void {
  const seqs = w.messages.filter((m) => m.rid === rid).map((m) => m.seq);
  expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
}

/** A name (or room) that `dispatch` puts on `server`: the gate's (or the connector's) choice. */
function keyOn(server: ServerInfo, list: ServerInfo[], prefix: string): string {
  for (let i = 0; ; i++) if (dispatch(`${prefix}${i}`, list).id === server.id) return `${prefix}${i}`;
}

describe('chatofpomelo-client on an open cluster (memory room log)', () => {
  let cluster: TestCluster;
  let gate: string;
  const clients: ChatClient[] = [];
  const client = (username: string): Watched => {
    const c = new ChatClient({ gate, username, backoff: { initialMs: 50, maxMs: 1000 } });
    clients.push(c);
    return watch(c);
  };

  beforeAll(async () => {
    cluster = await TestCluster.start({ connectors: 2, chats: 2 });
    gate = `http://${cluster.gate.host}:${cluster.gate.port}`;
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.stop();
  });

  beforeEach(async () => {
    // A connector killed by the test before is back in the gate's list: names land where the test expects.
    await cluster.waitUntilLinked();
  });

  it('two clients chat and each gets every message once, in seq order', async () => {
    const [ann, bob] = [client('ann'), client('bob')];
    await ann.client.connect();
    await ann.client.join('talk');
    await bob.client.join('talk');
    const sent: string[] = [];
    await Promise.all(
      [ann, bob].map(async (w, k) => {
        for (let i = 0; i < 10; i++) {
          const text = `${k === 0 ? 'ann' : 'bob'} ${i}`;
          sent.push(text);
          await w.client.send('talk', text);
        }
      }),
    );
    for (const w of [ann, bob]) {
      await waitUntil(
        () => w.messages.length >= 20,
        WAIT_MS,
        `${w.client.rid}: 20 messages`,
        () => texts(w, 'talk').join(', '),
      );
      expect(texts(w, 'talk').sort()).toEqual([...sent].sort());
      expectInOrderOnce(w, 'talk');
    }
    expect(ann.messages.map((m) => m.seq)).toEqual(bob.messages.map((m) => m.seq));
    expect(ann.events.join).toEqual([{ rid: 'talk', user: 'bob' }]);
  });

  it('joins a second room on the same connection: each room in order, once, with its rid; leave stops one room', async () => {
    const [amy, ben, cal] = [client('amy'), client('ben'), client('cal')];
    await amy.client.join('first');
    const second = await amy.client.join('second');
    expect(second).toMatchObject({ users: ['amy'], userCount: 1, history: [] });
    await ben.client.join('first');
    await cal.client.join('second');
    expect(amy.client.joined).toEqual(['first', 'second']);
    await expect(amy.client.join('second')).rejects.toMatchObject({ code: 409 });

    // Both rooms' traffic at once: each room's messages come in its own seq order.
    await Promise.all([
      (async () => {
        for (let i = 0; i < 10; i++) await ben.client.send('first', `first ${i}`);
      })(),
      (async () => {
        for (let i = 0; i < 10; i++) await cal.client.send('second', `second ${i}`);
      })(),
    ]);
    await waitUntil(
      () => amy.messages.length >= 20,
      WAIT_MS,
      'amy getting both rooms',
      () => amy.messages.map((m) => `${m.rid}:${m.msg}`).join(', '),
    );
    for (const rid of ['first', 'second']) {
      expect(texts(amy, rid)).toEqual(Array.from({ length: 10 }, (_, i) => `${rid} ${i}`));
      expectInOrderOnce(amy, rid);
    }
    expect(texts(ben, 'second')).toEqual([]);
    expect(amy.events.join).toEqual([
      { rid: 'first', user: 'ben' },
      { rid: 'second', user: 'cal' },
    ]);

    await amy.client.leave('second');
    await waitUntil(() => (cal.events.leave ?? []).length > 0, WAIT_MS, 'cal seeing amy leave');
    expect(cal.events.leave).toEqual([{ rid: 'second', user: 'amy' }]);
    await cal.client.send('second', 'after amy left');
    await ben.client.send('first', 'still in first');
    await waitUntil(() => texts(amy, 'first').includes('still in first'), WAIT_MS, 'amy still getting the first room');
    expect(texts(amy, 'second')).not.toContain('after amy left');
    expect(amy.client.joined).toEqual(['first']);
    expect(amy.client.state).toBe('connected');
    await expect(amy.client.send('second', 'not there')).rejects.toThrow(/not in room "second"/);
  });

  it('typing, read markers and the rooms list, per room', async () => {
    const [dee, eli] = [client('dee'), client('eli')];
    for (const rid of ['chat-a', 'chat-b']) {
      await dee.client.join(rid);
      await eli.client.join(rid);
    }
    const typing: unknown[] = [];
    eli.client.on('typing', (e) => typing.push(e));
    await dee.client.typing('chat-b', true);
    await waitUntil(() => typing.length > 0, WAIT_MS, 'eli told dee is typing');
    expect(typing[0]).toEqual({ rid: 'chat-b', user: 'dee', typing: true });

    const { seq } = await dee.client.send('chat-b', 'read me');
    await waitUntil(() => texts(eli, 'chat-b').includes('read me'), WAIT_MS, 'eli getting "read me"');
    expect(await eli.client.markRead('chat-b')).toBe(seq);
    const rooms = await eli.client.rooms();
    expect(rooms.map((r) => r.rid).sort()).toEqual(['chat-a', 'chat-b']);
    expect(rooms.find((r) => r.rid === 'chat-b')).toMatchObject({ lastSeq: seq, readSeq: seq, unread: 0, userCount: 2 });
  });

  it('a client whose connector is killed comes back through the gate and gets what it missed exactly once', async () => {
    const [c1, c2] = cluster.byType('connector') as [ServerInfo, ServerInfo];
    const connectors = cluster.byType('connector');
    const dan = client(keyOn(c1, connectors, 'dan'));
    const eve = client(keyOn(c2, connectors, 'eve'));
    await dan.client.join('drop');
    await eve.client.join('drop');
    await eve.client.send('drop', 'before');
    await waitUntil(() => texts(dan, 'drop').includes('before'), WAIT_MS, 'dan getting "before"');

    await cluster.stopServer(c1.id, 'SIGKILL');
    await waitUntil(() => dan.states.some((s) => s.state === 'reconnecting'), WAIT_MS, 'dan reconnecting');
    for (let i = 0; i < 5; i++) await eve.client.send('drop', `while away ${i}`);
    await cluster.startServer(c1.id);
    await eve.client.send('drop', 'after');

    const expected = ['before', ...Array.from({ length: 5 }, (_, i) => `while away ${i}`), 'after'];
    await waitUntil(
      () => texts(dan, 'drop').length >= expected.length,
      WAIT_MS,
      'dan getting every message',
      () => texts(dan, 'drop').join(', '),
    );
    expect(texts(dan, 'drop')).toEqual(expected);
    expectInOrderOnce(dan, 'drop');
    expect(dan.states.at(-1)?.state).toBe('connected');
    // Back in the room, with where it stands: the page's user list and badges are redrawn from it.
    expect(dan.events.rejoined).toEqual([
      {
        rid: 'drop',
        users: expect.arrayContaining([expect.stringMatching(/^dan/), expect.stringMatching(/^eve/)]) as unknown,
        userCount: 2,
        epoch: expect.any(String) as unknown,
        lastSeq: expect.any(Number) as unknown,
        readSeq: expect.any(Number) as unknown,
        unread: expect.any(Number) as unknown,
      },
    ]);
    expect(dan.states.filter((s) => s.state === 'reconnecting').every((s) => typeof s.retryInMs === 'number')).toBe(true);
  });

  it('after its connector is killed, a client in three rooms re-enters the first, re-joins the others and misses nothing', async () => {
    const [c1, c2] = cluster.byType('connector') as [ServerInfo, ServerInfo];
    const connectors = cluster.byType('connector');
    const rids = ['multi-1', 'multi-2', 'multi-3'];
    const flo = client(keyOn(c1, connectors, 'flo'));
    const gil = client(keyOn(c2, connectors, 'gil'));
    for (const rid of rids) {
      await flo.client.join(rid);
      await gil.client.join(rid);
    }
    for (const rid of rids) await gil.client.send(rid, `${rid} before`);
    await waitUntil(() => flo.messages.length >= 3, WAIT_MS, 'flo getting the first messages');

    await cluster.stopServer(c1.id, 'SIGKILL');
    await waitUntil(() => flo.states.some((s) => s.state === 'reconnecting'), WAIT_MS, 'flo reconnecting');
    for (let i = 0; i < 3; i++) for (const rid of rids) await gil.client.send(rid, `${rid} away ${i}`);
    await cluster.startServer(c1.id);
    for (const rid of rids) await gil.client.send(rid, `${rid} after`);

    await waitUntil(
      () => flo.messages.length >= 15,
      WAIT_MS,
      'flo getting every message of every room',
      () => flo.messages.map((m) => `${m.rid}:${m.msg}`).join(', '),
    );
    for (const rid of rids) {
      expect(texts(flo, rid)).toEqual([`${rid} before`, `${rid} away 0`, `${rid} away 1`, `${rid} away 2`, `${rid} after`]);
      expectInOrderOnce(flo, rid);
    }
    expect(flo.client.joined).toEqual(rids);
    expect(flo.states.at(-1)?.state).toBe('connected');
  });

  it('a send that got no answer is sent again after reconnecting, and delivered once', async () => {
    const [c1, c2] = cluster.byType('connector') as [ServerInfo, ServerInfo];
    const connectors = cluster.byType('connector');
    const fay = client(keyOn(c1, connectors, 'fay'));
    const gus = client(keyOn(c2, connectors, 'gus'));
    await fay.client.join('resend');
    await gus.client.join('resend');

    // Fay's connector takes no packets: her send goes out and gets no answer; then it dies.
    process.kill(cluster.pid(c1.id)!, 'SIGSTOP');
    const sending = fay.client.send('resend', 'only once');
    await cluster.stopServer(c1.id, 'SIGKILL');
    await cluster.startServer(c1.id);
    const result = await sending;

    await waitUntil(() => texts(gus, 'resend').includes('only once'), WAIT_MS, 'gus getting the resent message');
    await gus.client.send('resend', 'next');
    await waitUntil(() => texts(fay, 'resend').includes('next'), WAIT_MS, 'fay getting "next"');
    expect(texts(gus, 'resend').filter((t) => t === 'only once')).toHaveLength(1);
    expect(texts(fay, 'resend').filter((t) => t === 'only once')).toHaveLength(1);
    expect(gus.messages.find((m) => m.msg === 'only once')?.seq).toBe(result.seq);
    expect(fay.states.some((s) => s.state === 'reconnecting')).toBe(true);
  });

  it("surfaces recovered: false when the room's chat server is killed -9 with the memory store", async () => {
    const chat = cluster.byType('chat')[0]!;
    const rid = keyOn(chat, cluster.byType('chat'), 'lost-room-');
    const [hal, ivy] = [client('hal'), client('ivy')];
    await hal.client.join(rid);
    await ivy.client.join(rid);
    await hal.client.send(rid, 'soon forgotten');
    await waitUntil(() => texts(ivy, rid).length === 1, WAIT_MS, 'ivy getting the first message');

    await cluster.stopServer(chat.id, 'SIGKILL');
    await cluster.startServer(chat.id);
    for (const w of [hal, ivy]) {
      await waitUntil(
        () => (w.events.recovered ?? []).some((e) => !e.recovered),
        WAIT_MS,
        'a recovered: false event',
        () => JSON.stringify(w.events.recovered ?? []),
      );
      expect(w.events.recovered).toContainEqual({ rid, recovered: false });
    }
    // The room goes on in its new epoch.
    await hal.client.send(rid, 'after the crash');
    await waitUntil(() => texts(ivy, rid).includes('after the crash'), WAIT_MS, 'ivy getting a message of the new log');
    expect(texts(ivy, rid)).toEqual(['soon forgotten', 'after the crash']);
  });

  it("runs client/README.md's example verbatim with node", async () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, 'client/README.md'), 'utf8');
    const example = /^```(?:js|ts)\n([\s\S]*?)^```/m.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(existsSync(path.join(PROJECT_ROOT, 'client/dist/index.js'))).toBe(true);
    // Inside the project, so that `chatofpomelo-client` resolves as it does for any script here.
    const dir = path.join(PROJECT_ROOT, 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `client-readme-example-${process.pid}.mjs`);
    writeFileSync(file, example!);
    try {
      const child = spawn(process.execPath, [file], { env: { ...process.env, GATE: gate }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect({ code, output }).toEqual({
        code: 0,
        output: expect.stringMatching(/^bob got "hello, bob" from alice, seq (\d+) \(sent as \1\)\n$/),
      });
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe('chatofpomelo-client with sign-in tokens (AUTH_SECRET set)', () => {
  let cluster: TestCluster;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    cluster = await TestCluster.start({ connectors: 1, chats: 1, web: true, env: { AUTH_SECRET: TEST_AUTH_SECRET, API_KEY } });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.stop();
  });

  it('calls tokenProvider before connecting and refreshes a short token without a disconnect', async () => {
    const gate = `http://${cluster.gate.host}:${cluster.gate.port}`;
    const issued: number[] = [];
    // The first token expires in 3 s: onTokenExpiring comes at once, and the provider's next token lasts an hour.
    const tokenProvider = (): string => {
      const exp = epochSeconds(issued.length === 0 ? 3 : 3600);
      issued.push(exp);
      return signToken({ sub: 'kim', exp });
    };
    const kim = watch(new ChatClient({ gate, username: 'kim', tokenProvider }));
    const lee = watch(new ChatClient({ gate, username: 'lee', token: signToken({ sub: 'lee' }) }));
    clients.push(kim.client, lee.client);
    await kim.client.join('signed');
    await lee.client.join('signed');
    expect(issued.length).toBeGreaterThanOrEqual(1);

    await waitUntil(() => (kim.events.tokenRefreshed ?? []).length > 0, WAIT_MS, 'a refreshed token');
    expect(issued).toHaveLength(2);
    expect(kim.events.tokenRefreshed![0]!.expiresAt).toBe(issued[1]! * 1000);
    // Past the first token's expiry, where the connector would have closed an unrefreshed connection.
    await waitUntil(() => Date.now() > issued[0]! * 1000 + 1000, WAIT_MS, "the first token's expiry");
    await kim.client.send('signed', 'still here');
    await waitUntil(() => texts(lee, 'signed').includes('still here'), WAIT_MS, "lee getting kim's message");
    expect(kim.states.map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(kim.events.kicked).toBeUndefined();
  });

  it('one user on two devices in two rooms: each device gets every message of both rooms, its own included, once and in order', async () => {
    const gate = `http://${cluster.gate.host}:${cluster.gate.port}`;
    const device = (): Watched => {
      const c = new ChatClient({ gate, username: 'max', token: signToken({ sub: 'max' }) });
      clients.push(c);
      return watch(c);
    };
    const [phone, laptop] = [device(), device()];
    const ned = watch(new ChatClient({ gate, username: 'ned', token: signToken({ sub: 'ned' }) }));
    clients.push(ned.client);
    for (const rid of ['home', 'work']) {
      await phone.client.join(rid);
      await laptop.client.join(rid);
      await ned.client.join(rid);
    }
    // Max is in each room once, however many devices he has.
    expect((await ned.client.rooms()).map((r) => r.userCount)).toEqual([2, 2]);
    await phone.client.send('home', 'from the phone');
    await ned.client.send('work', 'from ned');
    await laptop.client.send('work', 'from the laptop');
    for (const w of [phone, laptop]) {
      await waitUntil(
        () => w.messages.length >= 3,
        WAIT_MS,
        "max's device getting 3 messages",
        () => JSON.stringify(w.messages),
      );
      expect(texts(w, 'home')).toEqual(['from the phone']);
      expect(texts(w, 'work')).toEqual(['from ned', 'from the laptop']);
    }
    await laptop.client.leave('home');
    await ned.client.send('home', 'phone only');
    await waitUntil(() => texts(phone, 'home').includes('phone only'), WAIT_MS, 'the phone still in home');
    // The laptop left home, but max did not: nobody saw him leave.
    expect(ned.events.leave).toBeUndefined();
    expect(texts(laptop, 'home')).toEqual(['from the phone']);
  });

  it('a kick from one room leaves the client in its other rooms; a kick from its last room closes it', async () => {
    const gate = `http://${cluster.gate.host}:${cluster.gate.port}`;
    const api = new ServerApi(cluster.webUrl, API_KEY);
    const [oli, pat] = ['oli', 'pat'].map((username) => {
      const c = new ChatClient({ gate, username, token: signToken({ sub: username }) });
      clients.push(c);
      return watch(c);
    }) as [Watched, Watched];
    for (const rid of ['kick-1', 'kick-2']) {
      await oli.client.join(rid);
      await pat.client.join(rid);
    }
    expect((await api.call('POST', '/api/rooms/kick-1/kick', { body: { username: 'oli', reason: 'off topic' } })).status).toBe(200);
    await waitUntil(() => (oli.events.kicked ?? []).length > 0, WAIT_MS, 'oli kicked from kick-1');
    expect(oli.events.kicked).toEqual([{ rid: 'kick-1', reason: 'off topic' }]);
    expect(oli.client.joined).toEqual(['kick-2']);
    await pat.client.send('kick-2', 'still with you');
    await waitUntil(() => texts(oli, 'kick-2').includes('still with you'), WAIT_MS, 'oli still getting kick-2');
    expect(oli.client.state).toBe('connected');

    expect((await api.call('POST', '/api/rooms/kick-2/kick', { body: { username: 'oli' } })).status).toBe(200);
    await waitUntil(() => oli.client.state === 'closed', WAIT_MS, 'oli closed after his last room');
    expect(oli.events.kicked?.map((e) => e.rid)).toEqual(['kick-1', 'kick-2']);
    expect(oli.states.filter((s) => s.state === 'reconnecting')).toEqual([]);
  });

  it('a client without a valid token is refused with 401', async () => {
    const gate = `http://${cluster.gate.host}:${cluster.gate.port}`;
    const nobody = new ChatClient({ gate, username: 'nobody' });
    clients.push(nobody);
    await expect(nobody.join('signed')).rejects.toMatchObject({ code: 401 });
  });
});
