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
import { epochSeconds, signToken, TEST_AUTH_SECRET } from '../helpers/tokens';
import { waitUntil } from '../helpers/wait';

const WAIT_MS = 20_000;

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
  for (const name of ['recovered', 'kicked', 'tokenRefreshed', 'join', 'leave'] as const) {
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
    await cluster.waitForGateLinks();
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

  it('a second join answers a clear error: one room per connection', async () => {
    const cat = client('cat');
    await cat.client.join('one');
    await expect(cat.client.join('two')).rejects.toThrow(/one room per connection/);
    await cat.client.leave('one');
    expect(cat.client.state).toBe('idle');
    await cat.client.join('two');
    expect(cat.client.rid).toBe('two');
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
    expect(dan.states.filter((s) => s.state === 'reconnecting').every((s) => typeof s.retryInMs === 'number')).toBe(true);
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
    cluster = await TestCluster.start({ connectors: 1, chats: 1, env: { AUTH_SECRET: TEST_AUTH_SECRET } });
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

  it('a client without a valid token is refused with 401', async () => {
    const gate = `http://${cluster.gate.host}:${cluster.gate.port}`;
    const nobody = new ChatClient({ gate, username: 'nobody' });
    clients.push(nobody);
    await expect(nobody.join('signed')).rejects.toMatchObject({ code: 401 });
  });
});
