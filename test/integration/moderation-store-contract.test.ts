import { createLogger } from '../../game-server/logger';
import { PrivateRedisServer } from '../../game-server/cli/private-redis-server';
import { MemoryModerationStore, type ModerationStore } from '../../app/servers/chat/moderation/moderation-store';
import { MODERATION_CACHE_MS, RedisModerationStore } from '../../app/servers/chat/moderation/redis-moderation-store';
import { RedisConnection } from '../../app/servers/chat/redis-connection';
import { waitUntil } from '../helpers/wait';

const log = createLogger('test', 'silent');
let redis: PrivateRedisServer;
const connections: RedisConnection[] = [];

beforeAll(async () => {
  redis = await PrivateRedisServer.start();
});
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await redis?.stop();
});

/** A clock the test moves: entries run out when it says so, not after real minutes. */
class Clock {
  offset = 0;
  now = (): number => Date.now() + this.offset;
}

const stores: [string, (clock: Clock) => ModerationStore][] = [
  ['memory', (clock) => new MemoryModerationStore(clock.now)],
  [
    'redis',
    (clock) => {
      const connection = new RedisConnection({ url: redis.url, timeoutMs: 1000, log });
      connections.push(connection);
      return new RedisModerationStore(connection, clock.now);
    },
  ],
];

let rooms = 0;
const newRid = (): string => `moderation-room-${++rooms}`;

describe.each(stores)('the %s moderation store', (_kind, open) => {
  it('keeps a ban until its time, per room and per kind, then forgets it', async () => {
    const clock = new Clock();
    const store = open(clock);
    const [rid, other] = [newRid(), newRid()];
    const until = Date.now() + 60_000;
    await store.set(rid, 'ban', { username: 'mallory', until, reason: 'abuse' });
    expect(await store.get(rid, 'ban', 'mallory')).toEqual({ username: 'mallory', until, reason: 'abuse' });
    expect(await store.get(rid, 'mute', 'mallory')).toBeUndefined();
    expect(await store.get(other, 'ban', 'mallory')).toBeUndefined();
    expect(await store.get(rid, 'ban', 'alice')).toBeUndefined();
    expect(await store.list(rid, 'ban')).toEqual([{ username: 'mallory', until, reason: 'abuse' }]);

    clock.offset = 61_000;
    expect(await store.get(rid, 'ban', 'mallory')).toBeUndefined();
    expect(await store.list(rid, 'ban')).toEqual([]);
  });

  it('lifts an entry early and says whether there was one', async () => {
    const store = open(new Clock());
    const rid = newRid();
    await store.set(rid, 'mute', { username: 'bob', until: Date.now() + 60_000 });
    expect(await store.lift(rid, 'mute', 'bob')).toBe(true);
    expect(await store.get(rid, 'mute', 'bob')).toBeUndefined();
    expect(await store.lift(rid, 'mute', 'bob')).toBe(false);
  });

  it('replaces an entry when it is set again (a longer or a shorter ban)', async () => {
    const clock = new Clock();
    const store = open(clock);
    const rid = newRid();
    await store.set(rid, 'ban', { username: 'eve', until: Date.now() + 600_000 });
    await store.set(rid, 'ban', { username: 'eve', until: Date.now() + 60_000 });
    clock.offset = 120_000;
    expect(await store.get(rid, 'ban', 'eve')).toBeUndefined();
  });

  it('lists every entry in force, not those that ran out', async () => {
    const clock = new Clock();
    const store = open(clock);
    const rid = newRid();
    const now = Date.now();
    await store.set(rid, 'mute', { username: 'a', until: now + 30_000 });
    await store.set(rid, 'mute', { username: 'b', until: now + 90_000 });
    clock.offset = 60_000;
    expect((await store.list(rid, 'mute')).map((e) => e.username)).toEqual(['b']);
  });
});

it("the memory store hands a room's entries over to its next owner (a room that moves)", async () => {
  const from = new MemoryModerationStore();
  const to = new MemoryModerationStore();
  const until = Date.now() + 60_000;
  await from.set('moving', 'ban', { username: 'x', until });
  await from.set('moving', 'mute', { username: 'y', until });
  const snapshot = from.release('moving')!;
  expect(await from.get('moving', 'ban', 'x')).toBeUndefined();
  to.adopt('moving', snapshot);
  expect(await to.get('moving', 'ban', 'x')).toMatchObject({ username: 'x', until });
  expect(await to.get('moving', 'mute', 'y')).toMatchObject({ username: 'y', until });
});

describe('the redis moderation store read by the checks', () => {
  const openOn = (clock: Clock): { store: RedisModerationStore; connection: RedisConnection } => {
    const connection = new RedisConnection({ url: redis.url, timeoutMs: 1000, log });
    connections.push(connection);
    return { store: new RedisModerationStore(connection, clock.now), connection };
  };

  it('asks Redis once per room and kind within MODERATION_CACHE_MS, not once per check', async () => {
    const { store, connection } = openOn(new Clock());
    const rid = newRid();
    await store.set(rid, 'mute', { username: 'mallory', until: Date.now() + 60_000 });
    const before = connection.calls.total;
    for (let i = 0; i < 20; i++) await store.get(rid, 'mute', i % 2 ? 'mallory' : `user-${i}`);
    expect(connection.calls.total - before).toBe(1);
    expect(await store.get(rid, 'mute', 'mallory')).toMatchObject({ username: 'mallory' });
  });

  it('shows its own changes at once, and another chat server’s within MODERATION_CACHE_MS', async () => {
    const clock = new Clock();
    const { store: here } = openOn(clock);
    const { store: elsewhere } = openOn(clock);
    const rid = newRid();
    expect(await here.get(rid, 'mute', 'mallory')).toBeUndefined();
    await here.set(rid, 'mute', { username: 'mallory', until: Date.now() + 60_000 });
    expect(await here.get(rid, 'mute', 'mallory')).toBeDefined();

    expect(await elsewhere.get(rid, 'mute', 'mallory')).toBeDefined();
    await here.lift(rid, 'mute', 'mallory');
    expect(await here.get(rid, 'mute', 'mallory')).toBeUndefined();
    expect(await elsewhere.get(rid, 'mute', 'mallory')).toBeDefined();
    clock.offset += MODERATION_CACHE_MS;
    expect(await elsewhere.get(rid, 'mute', 'mallory')).toBeUndefined();
  });

  it('reads a room in use again in the background past half MODERATION_CACHE_MS: the check meanwhile answers from the cache', async () => {
    const clock = new Clock();
    const { store: here, connection } = openOn(clock);
    const { store: elsewhere } = openOn(clock);
    const rid = newRid();
    expect(await here.get(rid, 'mute', 'mallory')).toBeUndefined();
    await elsewhere.set(rid, 'mute', { username: 'mallory', until: Date.now() + 60_000 });

    clock.offset += MODERATION_CACHE_MS / 2;
    const before = connection.calls.total;
    // Answered from what was read before the mute, while the new read goes out.
    expect(await here.get(rid, 'mute', 'mallory')).toBeUndefined();
    expect(connection.calls.total - before).toBe(1);
    await waitUntil(async () => (await here.get(rid, 'mute', 'mallory')) !== undefined, 3000, 'the background read replaced the cache');
    expect(connection.calls.total - before).toBe(1);
    // The new read counts from when it was made: no other read within MODERATION_CACHE_MS / 2 of it.
    for (let i = 0; i < 5; i++) await here.get(rid, 'mute', 'mallory');
    expect(connection.calls.total - before).toBe(1);
  });

  it('keeps its own change when a background read made before it answers after it', async () => {
    const clock = new Clock();
    const { store: here } = openOn(clock);
    const rid = newRid();
    expect(await here.get(rid, 'mute', 'mallory')).toBeUndefined();
    clock.offset += MODERATION_CACHE_MS / 2;
    // The background read goes out first, the change right behind it on the same connection.
    expect(await here.get(rid, 'mute', 'mallory')).toBeUndefined();
    await here.set(rid, 'mute', { username: 'mallory', until: clock.now() + 60_000 });
    expect(await here.get(rid, 'mute', 'mallory')).toBeDefined();
    for (let i = 0; i < 5; i++) expect(await here.get(rid, 'mute', 'mallory')).toBeDefined();
  });
});
