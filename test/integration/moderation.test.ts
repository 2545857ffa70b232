import type { KickEvent, ModerationResult } from '../../app/protocol';
import { RedisModerationStore } from '../../app/servers/chat/moderation/redis-moderation-store';
import { RedisConnection, roomKey } from '../../app/servers/chat/redis-connection';
import { PrivateRedisServer } from '../../game-server/cli/private-redis-server';
import { createLogger } from '../../game-server/logger';
import { dispatch } from '../../game-server/router/dispatch';
import { runAdmin } from '../helpers/admin-cli';
import { ChatClient, closeAllSockets } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';
import { ServerApi } from '../helpers/server-api';
import { waitUntil } from '../helpers/wait';

/** Resolves when the client's socket has been closed by the server. */
const API_KEY = 'moderation-test-api-key-0123';

const disconnected = (client: ChatClient): Promise<string> =>
  client.socket.disconnected ? Promise.resolve('already') : new Promise((resolve) => client.socket.once('disconnect', resolve));

describe.each(['memory', 'redis'] as const)('npm run admin: kick, ban, mute (%s store)', (store) => {
  let cluster: TestCluster;
  let redis: PrivateRedisServer | undefined;
  let api: ServerApi;

  beforeAll(async () => {
    if (store === 'redis') redis = await PrivateRedisServer.start();
    cluster = await TestCluster.start({
      connectors: 2,
      chats: 2,
      web: true,
      env: { HISTORY_STORE: store, API_KEY, ...(redis && { REDIS_URL: redis.url }) },
    });
    api = new ServerApi(cluster.webUrl, API_KEY);
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
    await redis?.stop();
  });

  it('kick: the user gets onKick with the reason and is disconnected; the room gets onLeave; the user may come back', async () => {
    const alice = await ChatClient.enter(cluster.gate, 'alice', 'kick-room');
    const bob = await ChatClient.enter(cluster.gate, 'bob', 'kick-room');
    const gone = disconnected(bob);
    const run = await runAdmin(cluster, ['kick', 'bob', '--room', 'kick-room', '--reason', 'spamming links']);
    expect(run).toMatchObject({ code: 0, stdout: 'kicked bob from room kick-room\n' });
    expect(await bob.waitFor('onKick')).toEqual<KickEvent>({ rid: 'kick-room', reason: 'spamming links' });
    expect(await gone).toBe('io server disconnect');
    await alice.waitFor('onLeave', (e) => e.user === 'bob');
    expect(bob.received('onLeave')).toEqual([]);
    const back = await ChatClient.enter(cluster.gate, 'bob', 'kick-room');
    expect(back.entered.users.sort()).toEqual(['alice', 'bob']);
    back.close();
    alice.close();
  });

  it('kick without --reason gives a default reason; --json prints the result', async () => {
    const carol = await ChatClient.enter(cluster.gate, 'carol', 'kick-room-2');
    const run = await runAdmin(cluster, ['kick', 'carol', '--room', 'kick-room-2', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual<ModerationResult>({ verb: 'kick', rid: 'kick-room-2', username: 'carol', kicked: true });
    expect(await carol.waitFor('onKick')).toEqual({ rid: 'kick-room-2', reason: 'removed by a moderator' });
  });

  it('kick of a user who is not in the room: exit 1, 404', async () => {
    const run = await runAdmin(cluster, ['kick', 'nobody', '--room', 'kick-room']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('admin: kick refused: 404 no user "nobody" in room "kick-room"\n');
  });

  it('ban: kicked, then refused with 403 on entering that room until unban; other rooms stay open', async () => {
    const alice = await ChatClient.enter(cluster.gate, 'alice', 'ban-room');
    const mallory = await ChatClient.enter(cluster.gate, 'mallory', 'ban-room');
    const before = Date.now();
    const run = await runAdmin(cluster, ['ban', 'mallory', '--room', 'ban-room', '--minutes', '10', '--reason', 'abuse']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^banned mallory from room ban-room until \S+ \(was in the room: disconnected\)\n$/);
    const kick = await mallory.waitFor('onKick');
    expect(kick.reason).toBe('abuse');
    expect(kick.until).toBeGreaterThanOrEqual(before + 10 * 60_000);
    expect(kick.until).toBeLessThan(Date.now() + 10 * 60_000 + 1000);
    await alice.waitFor('onLeave', (e) => e.user === 'mallory');

    await expect(ChatClient.enter(cluster.gate, 'mallory', 'ban-room')).rejects.toThrow(
      /"code":403,"error":"you are banned from this room for 10 more minutes"/,
    );
    const elsewhere = await ChatClient.enter(cluster.gate, 'mallory', 'other-room');
    elsewhere.close();

    expect(await runAdmin(cluster, ['unban', 'mallory', '--room', 'ban-room'])).toMatchObject({
      code: 0,
      stdout: 'unbanned mallory in room ban-room\n',
    });
    const back = await ChatClient.enter(cluster.gate, 'mallory', 'ban-room');
    back.close();
    expect(await runAdmin(cluster, ['unban', 'mallory', '--room', 'ban-room'])).toMatchObject({
      code: 0,
      stdout: 'mallory was not banned in room ban-room\n',
    });
    alice.close();
  });

  it('ban of a name not in the room (yet) keeps it out when it comes', async () => {
    expect(await runAdmin(cluster, ['ban', 'troll', '--room', 'empty-room', '--minutes', '1'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^banned troll from room empty-room until /),
    });
    await expect(ChatClient.enter(cluster.gate, 'troll', 'empty-room')).rejects.toThrow(/"code":403/);
    // Someone else entering and leaving the room (which empties it) does not lift it.
    const other = await ChatClient.enter(cluster.gate, 'other', 'empty-room');
    other.close();
    const emptied = await api.waitForRoom('empty-room', (room) => room.members.length === 0, 'empty again');
    expect(emptied.bans.map((b) => b.username)).toEqual(['troll']);
    await expect(ChatClient.enter(cluster.gate, 'troll', 'empty-room')).rejects.toThrow(/banned/);
  });

  it('mute: sends refused with 403 for the minutes given, the user still reads the room; unmute lifts it', async () => {
    const alice = await ChatClient.enter(cluster.gate, 'alice', 'mute-room');
    const bob = await ChatClient.enter(cluster.gate, 'bob', 'mute-room');
    const run = await runAdmin(cluster, ['mute', 'bob', '--room', 'mute-room', '--minutes', '3']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^muted bob in room mute-room until /);
    expect(await bob.send('can anyone hear me?')).toEqual({ code: 403, error: 'you are muted in this room for 3 more minutes' });
    expect(await bob.send('psst', 'alice')).toMatchObject({ code: 403 });
    expect(bob.socket.connected).toBe(true);
    const sent = await alice.send('bob cannot answer');
    expect(sent).toMatchObject({ code: 200 });
    await bob.waitFor('onChat', (m) => m.msg === 'bob cannot answer');

    expect(await runAdmin(cluster, ['unmute', 'bob', '--room', 'mute-room'])).toMatchObject({
      code: 0,
      stdout: 'unmuted bob in room mute-room\n',
    });
    expect(await bob.send('back again')).toMatchObject({ code: 200 });
    await alice.waitFor('onChat', (m) => m.msg === 'back again');
    expect(alice.received('onChat').map((m) => m.msg)).not.toContain('can anyone hear me?');
    alice.close();
    bob.close();
  });

  it('refuses a bad command line with exit 2 and says why', async () => {
    const missingMinutes = await runAdmin(cluster, ['ban', 'bob', '--room', 'r']);
    expect(missingMinutes.code).toBe(2);
    expect(missingMinutes.stderr).toContain("required option '--minutes <n>' not specified");
    const badMinutes = await runAdmin(cluster, ['mute', 'bob', '--room', 'r', '--minutes', '0']);
    expect(badMinutes.code).toBe(2);
    expect(badMinutes.stderr).toContain('give whole minutes, 1 to 525600.');
    expect((await runAdmin(cluster, ['kick', 'bob'])).stderr).toContain("required option '--room <rid>' not specified");
    expect((await runAdmin(cluster, ['kick', 'a*b', '--room', 'r'])).stderr).toBe('admin: username must not contain "*"\n');
    expect((await runAdmin(cluster, ['shout', 'bob'])).code).toBe(2);
  });

  it("exits 3 when the room's chat server refuses the RPC_SECRET", async () => {
    const run = await runAdmin(cluster, ['kick', 'bob', '--room', 'r'], { RPC_SECRET: 'not-the-secret' });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('the server refused our RPC_SECRET');
  });

  it(`the server API publishes into a room nobody is in ${store === 'redis' ? '(kept in Redis: a newcomer sees it)' : '(404: a memory log goes with its room)'}`, async () => {
    const res = await fetch(new URL('api/rooms/quiet-room/messages', cluster.webUrl), {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: 'left for whoever comes' }),
    });
    if (store === 'memory') {
      expect(res.status).toBe(404);
      return;
    }
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ seq: 1 });
    const newcomer = await ChatClient.enter(cluster.gate, 'newcomer', 'quiet-room');
    expect(newcomer.entered.history.map((m) => [m.seq, m.from, m.msg])).toEqual([[1, 'system', 'left for whoever comes']]);
    newcomer.close();
  });

  it(`keeps a ban when the room's chat server restarts (${store === 'redis' ? 'kept in Redis' : 'memory: lost with the process'})`, async () => {
    expect((await runAdmin(cluster, ['ban', 'zed', '--room', 'restart-room', '--minutes', '5'])).code).toBe(0);
    expect((await runAdmin(cluster, ['mute', 'yan', '--room', 'restart-room', '--minutes', '5'])).code).toBe(0);
    const before = await api.room('restart-room');
    expect([before.bans.map((b) => b.username), before.mutes.map((m) => m.username)]).toEqual([['zed'], ['yan']]);
    const owner = dispatch('restart-room', cluster.byType('chat'));
    await cluster.stopServer(owner.id, 'SIGKILL');
    await cluster.startServer(owner.id);
    // The restarted process answers for the room once the connectors have re-sent their users (or its wait is over).
    const kept = store === 'redis' ? [['zed'], ['yan']] : [[], []];
    await api.waitForRoom(
      'restart-room',
      (room) => JSON.stringify([room.bans.map((b) => b.username), room.mutes.map((m) => m.username)]) === JSON.stringify(kept),
      `bans and mutes ${JSON.stringify(kept)} after the restart`,
    );
    const enter = ChatClient.enter(cluster.gate, 'zed', 'restart-room');
    if (store === 'redis') {
      await expect(enter).rejects.toThrow(/banned/);
      const yan = await ChatClient.enter(cluster.gate, 'yan', 'restart-room');
      expect(await yan.send('hi')).toMatchObject({ code: 403 });
      yan.close();
    } else {
      (await enter).close();
    }
  });

  if (store === 'redis') {
    it("bans and mutes carry Redis' own expiry: once one runs out Redis deletes it, and the user is let in", async () => {
      const rid = 'expiry-room';
      const [banKey, muteKey] = [`${roomKey(rid)}:ban`, `${roomKey(rid)}:mute`];
      const connection = new RedisConnection({ url: redis!.url, timeoutMs: 2000, log: createLogger('test', 'silent') });
      try {
        // What npm run admin sets: an expiry on the key, at the end of the ban (whole minutes, so a minute here).
        expect((await runAdmin(cluster, ['ban', 'zoe', '--room', rid, '--minutes', '1'])).code).toBe(0);
        expect((await runAdmin(cluster, ['mute', 'max', '--room', rid, '--minutes', '1'])).code).toBe(0);
        const ttls = [await connection.redis.pttl(banKey), await connection.redis.pttl(muteKey)];
        expect(ttls.map((ms) => (ms > 55_000 && ms <= 60_000 ? 'about a minute' : ms))).toEqual(['about a minute', 'about a minute']);
        expect((await runAdmin(cluster, ['unban', 'zoe', '--room', rid])).code).toBe(0);
        expect((await runAdmin(cluster, ['unmute', 'max', '--room', rid])).code).toBe(0);

        // Short ones, written as the chat server writes them: they run out by the real clock, and Redis drops them.
        const moderation = new RedisModerationStore(connection);
        const until = Date.now() + 10_000;
        await moderation.set(rid, 'ban', { username: 'zoe', until });
        await moderation.set(rid, 'mute', { username: 'max', until });
        await expect(ChatClient.enter(cluster.gate, 'zoe', rid)).rejects.toThrow(/"code":403,"error":"you are banned/);
        const max = await ChatClient.enter(cluster.gate, 'max', rid);
        expect(await max.send('muted?')).toMatchObject({ code: 403 });
        // Nobody reads the entries meanwhile: only Redis' expiry can delete the keys.
        await waitUntil(
          async () => (await connection.redis.exists(banKey, muteKey)) === 0,
          30_000,
          'the ban and mute keys gone from Redis',
          async () =>
            `still there: ${JSON.stringify(await connection.redis.hgetall(banKey))} ${JSON.stringify(await connection.redis.hgetall(muteKey))}`,
          200,
        );
        expect(Date.now()).toBeGreaterThanOrEqual(until);
        (await ChatClient.enter(cluster.gate, 'zoe', rid)).close();
        expect(await max.send('heard again')).toMatchObject({ code: 200 });
        max.close();
      } finally {
        await connection.close();
      }
    });
  }
});
