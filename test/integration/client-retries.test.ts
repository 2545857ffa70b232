/**
 * chatofpomelo-client retries what a user expects it to, against real processes: a request answered
 * 503 while the room's chat server is down (kill -9) is asked again with backoff until the server is
 * back (a send keeps its clientMsgId: delivered once; enter and join too), or fails with code 503
 * once its retry budget is spent; an enter or join whose connection drops before the answer (its
 * connector stopped, then killed) resolves after the reconnection through the gate, or rejects with a
 * clear error when the connection does not come back in time.
 */
import { ChatClient, type ChatClientOptions, type RetryEvent, type RoomMessage } from 'chatofpomelo-client';
import type { ServerInfo } from '../../game-server/config/server-info';
import { dispatch } from '../../game-server/router/dispatch';
import { TestCluster } from '../helpers/cluster';
import { waitUntil } from '../helpers/wait';

const WAIT_MS = 20_000;
/** Patient enough for a chat server's restart on a busy machine, quick to notice it is back. */
const PATIENT = { initialMs: 50, maxMs: 400, attempts: 1000, withinMs: 30_000 };

interface Watched {
  client: ChatClient;
  messages: RoomMessage[];
  retries: RetryEvent[];
}

/** A room that `dispatch` puts on `server`. */
function roomOn(server: ServerInfo, list: ServerInfo[], prefix: string): string {
  for (let i = 0; ; i++) if (dispatch(`${prefix}${i}`, list).id === server.id) return `${prefix}${i}`;
}

describe('chatofpomelo-client retries (one connector, two chat servers, memory room log)', () => {
  let cluster: TestCluster;
  const clients: ChatClient[] = [];
  const client = (username: string, options: Partial<ChatClientOptions> = {}): Watched => {
    const gate = `http://${cluster.gate.host}:${cluster.gate.port}`;
    const c = new ChatClient({ gate, username, backoff: { initialMs: 50, maxMs: 500 }, retry: PATIENT, ...options });
    clients.push(c);
    const watched: Watched = { client: c, messages: [], retries: [] };
    c.on('message', (m) => watched.messages.push(m));
    c.on('retry', (r) => watched.retries.push(r));
    return watched;
  };

  beforeAll(async () => {
    // A call to a dead chat server is answered 503 after RPC_TIMEOUT_MS: 1 s keeps the test short.
    cluster = await TestCluster.start({ connectors: 1, chats: 2, env: { RPC_TIMEOUT_MS: '1000' } });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.stop();
  });

  it('sends, enters and joins answered 503 while the chat server restarts are retried and land once; past the budget, 503 with its reason', async () => {
    const chats = cluster.byType('chat');
    const [victim, other] = chats as [ServerInfo, ServerInfo];
    const rid = roomOn(victim, chats, 'restarting-');
    const elsewhere = roomOn(other, chats, 'steady-');
    const [ann, bob, hasty] = [client('ann'), client('bob'), client('hasty', { retry: { initialMs: 20, maxMs: 40, attempts: 2 } })];
    const [cy, dot] = [client('cy'), client('dot')];
    for (const w of [ann, bob, hasty]) await w.client.join(rid);
    await dot.client.join(elsewhere);
    await cy.client.connect();

    await cluster.stopServer(victim.id, 'SIGKILL');
    // Out of tries: the 503 comes back with the server's reason and how often it was tried.
    await expect(hasty.client.send(rid, 'too hasty')).rejects.toMatchObject({
      name: 'ChatClientError',
      code: 503,
      reason: expect.stringMatching(/.+/),
      message: expect.stringMatching(/^chat\.chatHandler\.send refused \(503\): .+ \(2 tries in \d+ ms\)$/),
    });
    expect(hasty.retries.map((r) => [r.route, r.attempt, r.error.code])).toEqual([['chat.chatHandler.send', 1, 503]]);

    // Patient: a send, an enter (cy's first room) and a join (dot's second) wait through the restart.
    const sending = ann.client.send(rid, 'through the restart');
    const entering = cy.client.join(rid);
    const joining = dot.client.join(rid);
    await waitUntil(
      () => [ann, cy, dot].every((w) => w.retries.some((r) => r.error.code === 503)),
      WAIT_MS,
      'a 503 retried by the send, the enter and the join',
      () => JSON.stringify([ann, cy, dot].map((w) => w.retries.map((r) => r.route))),
    );
    expect(ann.retries[0]?.route).toBe('chat.chatHandler.send');
    expect(cy.retries[0]?.route).toBe('connector.entryHandler.enter');
    expect(dot.retries[0]?.route).toBe('chat.chatHandler.join');
    await cluster.startServer(victim.id);

    const sent = await sending;
    expect(await entering).toMatchObject({ users: expect.arrayContaining(['cy']) });
    expect(await joining).toMatchObject({ users: expect.arrayContaining(['dot']) });
    expect(cy.client.joined).toEqual([rid]);
    expect(dot.client.joined).toEqual([elsewhere, rid]);
    await waitUntil(
      () => bob.messages.some((m) => m.msg === 'through the restart'),
      WAIT_MS,
      'bob getting the retried send',
      () => bob.messages.map((m) => m.msg).join(', '),
    );
    // The server took it once, however many times it was asked.
    await bob.client.send(rid, 'after');
    await waitUntil(() => ann.messages.some((m) => m.msg === 'after'), WAIT_MS, 'ann getting "after"');
    for (const w of [ann, bob]) expect(w.messages.filter((m) => m.msg === 'through the restart').map((m) => m.seq)).toEqual([sent.seq]);
    const history = await bob.client.history(rid, { afterSeq: 0 });
    expect(history.messages.filter((m) => m.msg === 'through the restart')).toHaveLength(1);
  });

  it('an enter or a join whose connection drops before the answer resolves after the reconnection; without one in time it rejects', async () => {
    const [connector] = cluster.byType('connector') as [ServerInfo];
    const [eli, fox, gus] = [client('eli'), client('fox'), client('gus', { sendTimeoutMs: 1000 })];
    await eli.client.connect();
    await fox.client.join('drop-first');
    await gus.client.connect();

    // The connector takes the requests but never answers; then it dies.
    process.kill(cluster.pid(connector.id)!, 'SIGSTOP');
    const entering = eli.client.join('drop-enter');
    const joining = fox.client.join('drop-join');
    const hopeless = gus.client.join('drop-hopeless');
    const states: string[] = [];
    eli.client.on('state', (s) => states.push(s.state));
    await cluster.stopServer(connector.id, 'SIGKILL');
    await waitUntil(() => states.includes('reconnecting'), WAIT_MS, 'eli reconnecting');
    // No connector for longer than gus waits: his join fails, and says why.
    await expect(hopeless).rejects.toMatchObject({
      name: 'ChatClientError',
      message: 'not connected: the connection did not come back in time',
    });
    expect(gus.client.joined).toEqual([]);
    await cluster.startServer(connector.id);

    expect(await entering).toMatchObject({ users: ['eli'], userCount: 1 });
    expect(await joining).toMatchObject({ users: ['fox'], userCount: 1 });
    expect(eli.client.joined).toEqual(['drop-enter']);
    expect(fox.client.joined).toEqual(['drop-first', 'drop-join']);
    // In the room for real: a message gets through both ways.
    await fox.client.join('drop-enter');
    await fox.client.send('drop-enter', 'are you there?');
    await waitUntil(() => eli.messages.some((m) => m.msg === 'are you there?'), WAIT_MS, 'eli getting a message');
    await eli.client.send('drop-enter', 'yes');
    await waitUntil(() => fox.messages.some((m) => m.msg === 'yes'), WAIT_MS, 'fox getting the answer');
  });
});
