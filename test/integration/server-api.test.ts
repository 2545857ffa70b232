import type { ClusterView, ModerationResult, RoomInfo, SendResult } from '../../app/protocol';
import { runAdmin } from '../helpers/admin-cli';
import { ChatClient, closeAllSockets } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';
import { ServerApi, type ApiReply } from '../helpers/server-api';

const API_KEY = 'test-api-key-0123456789abcdef';

describe('the server API on the web server (API_KEY set)', () => {
  let cluster: TestCluster;
  let noKeyPort: number;

  const api = <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    key: string | null = API_KEY,
    base = cluster.webUrl,
  ): Promise<ApiReply<T>> => new ServerApi(base, key).call<T>(method, path, { body });

  beforeAll(async () => {
    cluster = await TestCluster.start({ connectors: 2, chats: 2, web: true, env: { API_KEY } });
    // Blank is unset (.env semantics): this web server runs without a key.
    noKeyPort = await cluster.startWeb({ API_KEY: '' }, 'web-without-api-key');
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  describe('the key', () => {
    it('answers 401 without a key, with a wrong one, or with another scheme', async () => {
      const none = await api('GET', 'api/rooms/lobby', undefined, null);
      expect(none).toMatchObject({ status: 401, body: { error: 'send Authorization: Bearer <API_KEY>' } });
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect(await api('GET', 'api/rooms/lobby', undefined, 'wrong-key-wrong-key')).toMatchObject({
        status: 401,
        body: { error: 'wrong API key' },
      });
      expect(await api('GET', 'api/rooms/lobby', undefined, `${API_KEY}x`)).toMatchObject({ status: 401 });
      expect(await api('POST', 'api/rooms/lobby/messages', { content: 'sneaky' }, null)).toMatchObject({ status: 401 });
      const basic = await fetch(new URL('api/cluster', cluster.webUrl), { headers: { Authorization: `Basic ${API_KEY}` } });
      expect(basic.status).toBe(401);
    });

    it('answers 429 with Retry-After to an address that sent 20 wrong keys, even with the right key; other addresses go on', async () => {
      // A web server of its own: the brake is per process, and would hold up the other tests' calls from 127.0.0.1.
      const braked = new ServerApi(`http://127.0.0.1:${await cluster.startWeb({}, 'web-key-brake')}/`, 'a-wrong-key-0123456789');
      for (let i = 1; i <= 20; i++)
        expect({ wrongKey: i, status: (await braked.call('GET', 'api/cluster')).status }).toEqual({ wrongKey: i, status: 401 });
      const refused = await braked.call('GET', 'api/cluster');
      expect(refused).toMatchObject({ status: 429, body: { error: 'too many wrong API keys from this address; wait' } });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect((await braked.call('GET', 'api/cluster', { key: API_KEY })).status).toBe(429);
      expect((await braked.call('GET', 'api/cluster', { key: API_KEY, from: '127.0.0.2' })).status).toBe(200);
    });

    it('answers 404 for the whole API when API_KEY is not set, key or not', async () => {
      const base = `http://127.0.0.1:${noKeyPort}/`;
      for (const [method, path] of [
        ['GET', 'api/rooms/lobby'],
        ['POST', 'api/rooms/lobby/messages'],
        ['POST', 'api/rooms/lobby/kick'],
        ['GET', 'api/cluster'],
      ] as const) {
        expect(await api(method, path, method === 'POST' ? { content: 'x', username: 'x' } : undefined, API_KEY, base)).toMatchObject({
          status: 404,
          body: { error: 'not found' },
        });
      }
      // No AUTH_SECRET in this cluster: nothing to sign tokens with.
      expect((await api('POST', 'api/token', { username: 'x' }, null, base)).status).toBe(404);
    });
  });

  describe('POST /api/rooms/:rid/messages', () => {
    it("publishes into the room as a normal message: the room's next seq, pushed to members, in the history", async () => {
      const alice = await ChatClient.enter(cluster.gate, 'alice', 'news');
      const bob = await ChatClient.enter(cluster.gate, 'bob', 'news');
      expect(await alice.send('first')).toMatchObject({ code: 200, seq: 1 });

      const published = await api<SendResult>('POST', 'api/rooms/news/messages', { content: 'Maintenance at 10:00 UTC' });
      expect(published.status).toBe(200);
      expect(published.body).toEqual({ id: expect.any(Number), seq: 2 });
      for (const client of [alice, bob]) {
        const pushed = await client.waitFor('onChat', (m) => m.seq === 2);
        expect(pushed).toEqual({
          ...published.body,
          msg: 'Maintenance at 10:00 UTC',
          from: 'system',
          target: '*',
          time: expect.any(Number),
          rid: 'news',
        });
      }
      const byName = await api<SendResult>('POST', 'api/rooms/news/messages', { content: 'from the news desk', from: 'newsbot' });
      expect(byName.body.seq).toBe(3);
      await bob.waitFor('onChat', (m) => m.seq === 3 && m.from === 'newsbot');
      expect(await bob.send('thanks')).toMatchObject({ code: 200, seq: 4 });

      const carol = await ChatClient.enter(cluster.gate, 'carol', 'news');
      expect(carol.entered.history.map((m) => [m.seq, m.from, m.msg])).toEqual([
        [1, 'alice', 'first'],
        [2, 'system', 'Maintenance at 10:00 UTC'],
        [3, 'newsbot', 'from the news desk'],
        [4, 'bob', 'thanks'],
      ]);
      for (const c of [alice, bob, carol]) c.close();
    });

    it('answers 400 with the reason for bad input, 415 for a body that is not JSON, 405 for another method', async () => {
      expect(await api('POST', 'api/rooms/news/messages', {})).toEqual(
        expect.objectContaining({ status: 400, body: { error: 'content is required' } }),
      );
      expect(await api('POST', 'api/rooms/news/messages', { content: '   ' })).toMatchObject({
        status: 400,
        body: { error: 'content must not be empty' },
      });
      expect(await api('POST', 'api/rooms/news/messages', { content: 'x'.repeat(2001) })).toMatchObject({
        status: 400,
        body: { error: 'content must be at most 2000 characters' },
      });
      expect(await api('POST', 'api/rooms/news/messages', { content: 'hi', from: 'a*b' })).toMatchObject({
        status: 400,
        body: { error: 'username must not contain "*"' },
      });
      expect(await api('POST', 'api/rooms/news/messages', { content: 42 })).toMatchObject({
        status: 400,
        body: { error: 'content must be a string' },
      });
      expect(await api('POST', 'api/rooms/news/messages', ['content'])).toMatchObject({
        status: 400,
        body: { error: 'the body must be a JSON object' },
      });
      expect(await api('POST', `api/rooms/${'r'.repeat(65)}/messages`, { content: 'hi' })).toMatchObject({
        status: 400,
        body: { error: 'rid must be at most 64 characters' },
      });
      const notJson = await fetch(new URL('api/rooms/news/messages', cluster.webUrl), {
        method: 'POST',
        headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'text/plain' },
        body: 'hello',
      });
      expect(notJson.status).toBe(415);
      const broken = await fetch(new URL('api/rooms/news/messages', cluster.webUrl), {
        method: 'POST',
        headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
        body: '{"content":',
      });
      expect(broken.status).toBe(400);
      expect(await api('GET', 'api/rooms/news/messages')).toMatchObject({ status: 405, body: { error: 'use POST' } });
      const big = await fetch(new URL('api/rooms/news/messages', cluster.webUrl), {
        method: 'POST',
        headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ content: 'x'.repeat(100_000) }),
      });
      expect(big.status).toBe(413);
    });

    it('answers 404 for a room nobody is in (its log would go with it: memory store)', async () => {
      expect(await api('POST', 'api/rooms/nobody-here/messages', { content: 'hello?' })).toMatchObject({
        status: 404,
        body: { error: 'nobody is in room "nobody-here"' },
      });
    });
  });

  describe('GET /api/rooms/:rid', () => {
    it('answers the members and the recent public history (never private messages), with bans and mutes', async () => {
      const dave = await ChatClient.enter(cluster.gate, 'dave', 'room with spaces/and slash');
      const erin = await ChatClient.enter(cluster.gate, 'erin', 'room with spaces/and slash');
      await dave.send('public words');
      await dave.send('a secret', 'erin');
      const path = `api/rooms/${encodeURIComponent('room with spaces/and slash')}`;
      const res = await api<RoomInfo>('GET', path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        rid: 'room with spaces/and slash',
        server: expect.stringMatching(/^chat-server-/),
        epoch: expect.any(String),
        lastSeq: 2,
        bans: [],
        mutes: [],
      });
      expect(res.body.members.sort()).toEqual(['dave', 'erin']);
      expect(res.body.history.map((m) => m.msg)).toEqual(['public words']);

      expect((await runAdmin(cluster, ['mute', 'erin', '--room', 'room with spaces/and slash', '--minutes', '5'])).code).toBe(0);
      const muted = await api<RoomInfo>('GET', path);
      expect(muted.body.mutes).toEqual([{ username: 'erin', until: expect.any(Number) }]);
      expect(await api('GET', 'api/rooms/empty-room')).toMatchObject({ status: 200, body: { members: [], history: [] } });
      dave.close();
      erin.close();
    });
  });

  describe('POST /api/rooms/:rid/kick', () => {
    it('kicks a member: onKick with the reason, disconnected, onLeave to the room', async () => {
      const frank = await ChatClient.enter(cluster.gate, 'frank', 'kick-api');
      const gina = await ChatClient.enter(cluster.gate, 'gina', 'kick-api');
      const res = await api<ModerationResult>('POST', 'api/rooms/kick-api/kick', { username: 'gina', reason: 'off topic' });
      expect(res).toMatchObject({ status: 200, body: { verb: 'kick', rid: 'kick-api', username: 'gina', kicked: true } });
      expect(await gina.waitFor('onKick')).toEqual({ rid: 'kick-api', reason: 'off topic' });
      await frank.waitFor('onLeave', (e) => e.user === 'gina');
      const info = await api<RoomInfo>('GET', 'api/rooms/kick-api');
      expect(info.body.members).toEqual(['frank']);
      frank.close();
    });

    it('answers 404 for someone not in the room, 400 for bad input', async () => {
      expect(await api('POST', 'api/rooms/kick-api/kick', { username: 'ghost' })).toMatchObject({
        status: 404,
        body: { error: 'no user "ghost" in room "kick-api"' },
      });
      expect(await api('POST', 'api/rooms/kick-api/kick', {})).toMatchObject({ status: 400, body: { error: 'username is required' } });
      expect(await api('POST', 'api/rooms/kick-api/kick', { username: 'x', reason: 'y'.repeat(201) })).toMatchObject({
        status: 400,
        body: { error: 'reason must be at most 200 characters' },
      });
    });
  });

  describe('GET /api/cluster (the admin page)', () => {
    it('answers every server with its state and counters, and every room with its members', async () => {
      const hank = await ChatClient.enter(cluster.gate, 'hank', 'cluster-room');
      await hank.send('counted');
      const res = await api<ClusterView>('GET', 'api/cluster');
      expect(res.status).toBe(200);
      expect(res.body.servers.map((s) => s.id).sort()).toEqual(cluster.servers.map((s) => s.id).sort());
      for (const server of res.body.servers)
        expect(server).toMatchObject({ state: 'up', pid: expect.any(Number), uptimeSeconds: expect.any(Number) });
      const chats = res.body.servers.filter((s) => s.type === 'chat');
      expect(chats.reduce((n, s) => n + (s.messages ?? 0), 0)).toBeGreaterThanOrEqual(1);
      const connectors = res.body.servers.filter((s) => s.type === 'connector');
      for (const c of connectors) expect(c).toMatchObject({ connections: expect.any(Number), messages: expect.any(Number) });
      expect(res.body.rooms).toContainEqual({ rid: 'cluster-room', server: expect.stringMatching(/^chat-server-/), users: ['hank'] });
      hank.close();
    });
  });

  it('answers 404 for an unknown API path and 405 for a wrong method', async () => {
    expect(await api('GET', 'api/nothing')).toMatchObject({ status: 404 });
    expect(await api('GET', 'api/rooms/a/b/c')).toMatchObject({ status: 404 });
    expect(await api('DELETE', 'api/rooms/lobby')).toMatchObject({ status: 405 });
  });
});
