import { Route, TOKEN_EXPIRED, type RefreshResult } from '../../app/protocol';
import { sleep } from '../../game-server/sleep';
import { ChatClient, closeAllSockets, request } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';
import { epochSeconds, signToken, TEST_AUTH_SECRET } from '../helpers/tokens';
import { waitUntil } from '../helpers/wait';

/** Seconds a short token lasts: long enough to enter on a busy machine, short enough to wait for. */
const SHORT_TOKEN_S = 6;

describe('tokens on live connections (AUTH_SECRET set)', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ connectors: 1, chats: 1, env: { AUTH_SECRET: TEST_AUTH_SECRET } });
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  const enterFor = (username: string, rid: string, seconds: number, rooms?: string[]): Promise<ChatClient> =>
    ChatClient.enter(cluster.gate, username, rid, {
      token: signToken({ sub: username, exp: epochSeconds(seconds), ...(rooms && { rooms }) }),
    });

  const refresh = (client: ChatClient, token: string) => request<RefreshResult>(client.socket, Route.refresh, { token });

  it('tells a connection 30 s before its token expires, and closes it at expiry with onKick "token expired"', async () => {
    const exp = epochSeconds(SHORT_TOKEN_S);
    const ann = await ChatClient.enter(cluster.gate, 'ann', 'expiry-room', { token: signToken({ sub: 'ann', exp }) });
    const bob = await enterFor('bob', 'expiry-room', 3600);
    expect(await ann.waitFor('onTokenExpiring')).toEqual({ expiresAt: exp * 1000 });
    const closed = new Promise<number>((resolve) => ann.socket.once('disconnect', () => resolve(Date.now())));
    expect(await ann.waitFor('onKick', undefined, SHORT_TOKEN_S * 1000 + 5000)).toEqual({ reason: TOKEN_EXPIRED });
    expect(await closed).toBeGreaterThanOrEqual(exp * 1000);
    await bob.waitFor('onLeave', (e) => e.user === 'ann');
    bob.close();
  });

  it('keeps a connection that refreshes its token past the first one\u2019s expiry', async () => {
    const exp = epochSeconds(SHORT_TOKEN_S);
    const cat = await ChatClient.enter(cluster.gate, 'cat', 'refresh-room', { token: signToken({ sub: 'cat', exp }) });
    await cat.waitFor('onTokenExpiring');
    const later = epochSeconds(3600);
    expect(await refresh(cat, signToken({ sub: 'cat', exp: later }))).toEqual({ code: 200, expiresAt: later * 1000, left: [] });
    // Past the first token's expiry (the connector would have closed the connection by now).
    await sleep(Math.max(0, exp * 1000 + 1500 - Date.now()));
    expect(await cat.send('still here')).toMatchObject({ code: 200 });
    expect(cat.socket.connected).toBe(true);
    expect(cat.received('onKick')).toEqual([]);
    cat.close();
  });

  it('refuses a forged refresh (401) or one for another user (403), and closes nothing', async () => {
    const dan = await enterFor('dan', 'forged-room', 3600);
    expect(await refresh(dan, signToken({ sub: 'dan' }, 'another-secret-that-is-32-characters-long!!'))).toEqual({
      code: 401,
      error: 'the token is not valid',
    });
    expect(await refresh(dan, signToken({ sub: 'eve' }))).toEqual({ code: 403, error: 'the token is for another user name' });
    expect(await refresh(dan, signToken({ sub: 'dan', exp: epochSeconds(-60) }))).toEqual({ code: 401, error: 'the token has expired' });
    expect(await request(dan.socket, Route.refresh, { token: 42 })).toEqual({ code: 400, error: 'token must be a string' });
    expect(await dan.send('after the refusals')).toMatchObject({ code: 200 });
    expect(dan.socket.connected).toBe(true);
    dan.close();
  });

  it('takes the connection out of a room the new token no longer allows (and closes it, having no other room)', async () => {
    const fay = await enterFor('fay', 'narrowed-room', 3600, ['narrowed-room']);
    const gus = await enterFor('gus', 'narrowed-room', 3600);
    const closed = new Promise<void>((resolve) => fay.socket.once('disconnect', () => resolve()));
    const later = epochSeconds(3600);
    expect(await refresh(fay, signToken({ sub: 'fay', exp: later, rooms: ['elsewhere'] }))).toEqual({
      code: 200,
      expiresAt: later * 1000,
      left: ['narrowed-room'],
    });
    expect(await fay.waitFor('onKick')).toEqual({ rid: 'narrowed-room', reason: 'the token does not allow room "narrowed-room"' });
    await closed;
    await gus.waitFor('onLeave', (e) => e.user === 'fay');
    await waitUntil(async () => (await gus.send('fay is gone')).code === 200, 5000, 'gus can still send');
    gus.close();
  });
});
