import { readFileSync, writeFileSync } from 'node:fs';
import { Route, type EnterResult, type TokenResponse } from '../../app/protocol';
import { ChatClient, closeAllSockets, connect, queryEntry, request } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';
import { epochSeconds, signToken, TEST_AUTH_SECRET } from '../helpers/tokens';

/** Enters `rid` as `username` with `token` (or none) on the user's connector; returns the reply. */
async function enterWith(cluster: TestCluster, username: string, rid: string, token?: string): Promise<{ code: number; error?: string }> {
  const entry = await queryEntry(cluster.gate, username);
  if (entry.code !== 200) throw new Error(JSON.stringify(entry));
  const socket = await connect(entry.host, entry.port);
  try {
    return await request<EnterResult>(socket, Route.enter, { username, rid, ...(token !== undefined && { token }) });
  } finally {
    socket.disconnect();
  }
}

async function postJson(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('signed tokens on enter (AUTH_SECRET set)', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ connectors: 2, chats: 1, web: true, env: { AUTH_SECRET: TEST_AUTH_SECRET } });
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  it('lets a user in with a valid token for their name', async () => {
    const alice = await ChatClient.enter(cluster.gate, 'alice', 'lobby', { token: signToken({ sub: 'alice' }) });
    expect(alice.entered.users).toEqual(['alice']);
    expect(await alice.send('hello with a token')).toMatchObject({ code: 200, seq: 1 });
    alice.close();
  });

  it('refuses an enter without a token: 401', async () => {
    expect(await enterWith(cluster, 'bob', 'lobby')).toEqual({ code: 401, error: 'a token is required to enter' });
    expect(await enterWith(cluster, 'bob', 'lobby', '')).toMatchObject({ code: 401 });
  });

  it.each([
    ['not a JWT at all', 'hello'],
    ['three parts of garbage', 'a.b.c'],
    ['a header that is not JSON', `${Buffer.from('{').toString('base64url')}.e30.sig`],
  ])('refuses a malformed token (%s): 401', async (_what, token) => {
    expect(await enterWith(cluster, 'bob', 'lobby', token)).toEqual({ code: 401, error: 'the token is not valid' });
  });

  it('refuses a forged token (signed with another secret): 401', async () => {
    const forged = signToken({ sub: 'bob' }, 'another-secret-that-is-32-characters-long!!');
    expect(await enterWith(cluster, 'bob', 'lobby', forged)).toEqual({ code: 401, error: 'the token is not valid' });
  });

  it('refuses a token whose payload was changed after signing: 401', async () => {
    const [header, , signature] = signToken({ sub: 'bob' }).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'mallory', exp: epochSeconds(3600) })).toString('base64url');
    expect(await enterWith(cluster, 'mallory', 'lobby', `${header}.${payload}.${signature}`)).toMatchObject({ code: 401 });
  });

  it('refuses unsigned and other-algorithm tokens (alg none, HS512): 401', async () => {
    const none = signToken({ sub: 'bob' }, TEST_AUTH_SECRET, { alg: 'none', typ: 'JWT' }).split('.').slice(0, 2).join('.') + '.';
    expect(await enterWith(cluster, 'bob', 'lobby', none)).toMatchObject({ code: 401 });
    // Signed with HMAC-SHA-512 and the right secret: refused for its algorithm alone (an HS512-accepting server lets it in).
    const hs512 = signToken({ sub: 'bob' }, TEST_AUTH_SECRET, { alg: 'HS512', typ: 'JWT' });
    expect(await enterWith(cluster, 'bob', 'lobby', hs512)).toEqual({ code: 401, error: 'the token is not valid' });
  });

  it('refuses an expired token: 401', async () => {
    const expired = signToken({ sub: 'bob', iat: epochSeconds(-7200), exp: epochSeconds(-60) });
    expect(await enterWith(cluster, 'bob', 'lobby', expired)).toEqual({ code: 401, error: 'the token has expired' });
  });

  it('refuses a token without an expiry, or not valid yet: 401', async () => {
    const now = epochSeconds();
    const forever = signToken({ sub: 'bob', exp: undefined });
    expect(await enterWith(cluster, 'bob', 'lobby', forever)).toMatchObject({ code: 401 });
    const notYet = signToken({ sub: 'bob', nbf: now + 600 });
    expect(await enterWith(cluster, 'bob', 'lobby', notYet)).toMatchObject({ code: 401 });
  });

  it('refuses a valid token for another name: 403', async () => {
    expect(await enterWith(cluster, 'mallory', 'lobby', signToken({ sub: 'alice' }))).toEqual({
      code: 403,
      error: 'the token is for another user name',
    });
  });

  it('lets a token that lists rooms into those rooms only: 403 for another room', async () => {
    const token = signToken({ sub: 'carol', rooms: ['lobby', 'garden'] });
    expect(await enterWith(cluster, 'carol', 'vault', token)).toEqual({ code: 403, error: 'the token does not allow room "vault"' });
    const carol = await ChatClient.enter(cluster.gate, 'carol', 'garden', { token });
    expect(carol.entered.users).toEqual(['carol']);
    carol.close();
    expect(await enterWith(cluster, 'carol', 'vault', signToken({ sub: 'carol', rooms: [] }))).toMatchObject({ code: 403 });
    expect(await enterWith(cluster, 'carol', 'vault', signToken({ sub: 'carol', rooms: 'vault' }))).toMatchObject({ code: 401 });
  });

  it('answers 400 for a token that is not a string, before looking at it', async () => {
    expect(await enterWith(cluster, 'bob', 'lobby', 42 as unknown as string)).toEqual({ code: 400, error: 'token must be a string' });
  });

  describe('POST /api/token (AUTH_DEV_LOGIN: on by default in development)', () => {
    it('issues a token for any valid name, which lets that name in', async () => {
      const res = await postJson(new URL('api/token', cluster.webUrl).href, { username: 'dave' });
      expect(res.status).toBe(200);
      const { token, expiresAt } = res.body as unknown as TokenResponse;
      expect(expiresAt).toBeGreaterThan(Date.now() + 3500_000);
      const dave = await ChatClient.enter(cluster.gate, 'dave', 'lobby', { token });
      expect(dave.entered.users).toContain('dave');
      dave.close();
      expect(await enterWith(cluster, 'erin', 'lobby', token)).toMatchObject({ code: 403 });
    });

    it('answers 400 with the reason for a bad name or body', async () => {
      const url = new URL('api/token', cluster.webUrl).href;
      expect(await postJson(url, { username: 'a*b' })).toEqual({ status: 400, body: { error: 'username must not contain "*"' } });
      expect(await postJson(url, {})).toEqual({ status: 400, body: { error: 'username is required' } });
      const notJson = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' });
      expect(notJson.status).toBe(400);
      const text = await fetch(url, { method: 'POST', body: 'username=x' });
      expect(text.status).toBe(415);
      expect((await fetch(url)).status).toBe(405);
    });

    it('answers 404 in production (NODE_ENV=production), with AUTH_SECRET set and AUTH_DEV_LOGIN unset', async () => {
      // The same servers under a production section, as an operator's servers.json would have them.
      const config = JSON.parse(readFileSync(cluster.configFile, 'utf8')) as Record<string, unknown>;
      writeFileSync(cluster.configFile, JSON.stringify({ ...config, production: config.development }));
      const port = await cluster.startWeb({ NODE_ENV: 'production', RPC_SECRET: 'a-production-secret' }, 'web-production');
      const res = await postJson(`http://127.0.0.1:${port}/api/token`, { username: 'dave' });
      expect(res).toEqual({ status: 404, body: { error: 'not found' } });
      // The page it serves is there: the 404 is the route's, not a web server that is not running.
      expect((await fetch(`http://127.0.0.1:${port}/config.json`)).status).toBe(200);
    });

    it('answers 404 when AUTH_DEV_LOGIN=0', async () => {
      const port = await cluster.startWeb({ AUTH_DEV_LOGIN: '0' }, 'web-no-dev-login');
      const res = await postJson(`http://127.0.0.1:${port}/api/token`, { username: 'dave' });
      expect(res).toEqual({ status: 404, body: { error: 'not found' } });
    });
  });
});
