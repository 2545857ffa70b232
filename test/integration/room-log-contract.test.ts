import { AppError } from '../../game-server/errors';
import { createLogger } from '../../game-server/logger';
import { MemoryRoomLog } from '../../app/servers/chat/room-log/memory-room-log';
import { RedisRoomLog } from '../../app/servers/chat/room-log/redis-room-log';
import { RedisConnection, roomKey } from '../../app/servers/chat/redis-connection';
import { LogClaimLost, type LogClaim, type MessageDraft, type RoomLog } from '../../app/servers/chat/room-log/room-log';
import { PrivateRedisCluster } from '../../game-server/cli/private-redis-cluster';
import { redisCommand } from '../../game-server/cli/redis-admin';
import { PrivateRedisServer } from '../../game-server/cli/private-redis-server';
import { PrivateRedisSentinel } from '../../game-server/cli/private-redis-sentinel';
import { sleep } from '../../game-server/sleep';
import { BlackholeProxy } from '../helpers/blackhole-proxy';
import { RedisSnapshot } from '../helpers/redis-snapshot';
import { waitUntil } from '../helpers/wait';

const CAPACITY = 5;
const log = createLogger('test', 'silent');
let redis: PrivateRedisServer;
let sentinel: PrivateRedisSentinel;
let cluster: PrivateRedisCluster;
const opened: RoomLog[] = [];

beforeAll(async () => {
  [redis, sentinel, cluster] = await Promise.all([PrivateRedisServer.start(), PrivateRedisSentinel.start(), PrivateRedisCluster.start()]);
}, 60_000);
afterAll(async () => {
  await Promise.all(opened.map((l) => l.close()));
  await Promise.all([redis?.stop(), sentinel?.stop(), cluster?.stop()]);
});

let n = 0;
const draft = (from: string, clientMsgId?: string): MessageDraft => ({
  id: ++n,
  msg: `message ${n}`,
  from,
  target: '*',
  time: Date.now(),
  ...(clientMsgId !== undefined && { clientMsgId }),
});

/** Two chat servers' views of the same store: for memory, the second gets the room by hand-over. */
interface Store {
  open(): RoomLog;
}

const stores: [string, Store][] = [
  ['memory', { open: () => track(new MemoryRoomLog(CAPACITY)) }],
  [
    'redis',
    {
      open: () => track(new RedisRoomLog({ url: redis.url, capacity: CAPACITY, timeoutMs: 1000, log })),
    },
  ],
  ['redis sentinel', { open: () => track(sentinelLog()) }],
  [
    'redis cluster',
    {
      open: () => track(new RedisRoomLog({ url: cluster.url, capacity: CAPACITY, timeoutMs: 1000, log })),
    },
  ],
];

/** A log on the Sentinels' primary whose appends count once `minReplicas` replicas have them (REDIS_MIN_REPLICAS). */
const sentinelLog = (minReplicas = 1): RedisRoomLog =>
  new RedisRoomLog({ url: sentinel.url, capacity: CAPACITY, timeoutMs: 1000, minReplicas, waitMs: 100, log });

function track(roomLog: RoomLog): RoomLog {
  opened.push(roomLog);
  return roomLog;
}

let rooms = 0;
const newRid = (): string => `room-${++rooms}`;

describe.each(stores)('the %s room log', (_kind, store) => {
  it('numbers messages 1, 2, 3... per room and reads them back after any seq, oldest first', async () => {
    const roomLog = store.open();
    const [a, b] = [newRid(), newRid()];
    const claimA = await roomLog.claim(a, null);
    const claimB = await roomLog.claim(b, null);
    expect(claimA.lastSeq).toBe(0);
    const seqs = [];
    for (let i = 0; i < 3; i++) seqs.push((await roomLog.append(claimA, draft('ann'))).message.seq);
    expect(seqs).toEqual([1, 2, 3]);
    expect((await roomLog.append(claimB, draft('bob'))).message.seq).toBe(1);

    const read = await roomLog.read(a, 1, 10);
    expect(read.messages.map((m) => m.seq)).toEqual([2, 3]);
    expect(read.messages[0]).toMatchObject({ from: 'ann', target: '*', seq: 2 });
    expect(read).toMatchObject({ epoch: claimA.epoch, lastSeq: 3, firstSeq: 1 });
    expect((await roomLog.read(a, 0, 2)).messages.map((m) => m.seq)).toEqual([1, 2]);
    // A client may say it has seen any seq: past the last one, nothing to read.
    expect(await roomLog.read(a, Number.MAX_SAFE_INTEGER - 1, 10)).toMatchObject({ lastSeq: 3, messages: [] });
  });

  it(`keeps the last ${CAPACITY} messages and says where the kept ones start`, async () => {
    const roomLog = store.open();
    const rid = newRid();
    const claim = await roomLog.claim(rid, null);
    for (let i = 0; i < CAPACITY + 3; i++) await roomLog.append(claim, draft('ann'));
    const read = await roomLog.read(rid, 0, 100);
    expect(read.messages.map((m) => m.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(read).toMatchObject({ lastSeq: 8, firstSeq: 4 });
  });

  it('answers a repeated clientMsgId of the same sender with the first message, and appends nothing', async () => {
    const roomLog = store.open();
    const rid = newRid();
    const claim = await roomLog.claim(rid, null);
    const first = await roomLog.append(claim, draft('ann', 'c-1'));
    const again = await roomLog.append(claim, draft('ann', 'c-1'));
    const otherSender = await roomLog.append(claim, draft('bob', 'c-1'));
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, message: first.message });
    expect(otherSender).toMatchObject({ duplicate: false, message: { seq: 2 } });
    expect((await roomLog.read(rid, 0, 100)).lastSeq).toBe(2);
  });

  it('forgets a clientMsgId once its message has left the history window', async () => {
    const roomLog = store.open();
    const rid = newRid();
    const claim = await roomLog.claim(rid, null);
    await roomLog.append(claim, draft('ann', 'old'));
    for (let i = 0; i < CAPACITY; i++) await roomLog.append(claim, draft('bob'));
    const late = await roomLog.append(claim, draft('ann', 'old'));
    expect(late).toMatchObject({ duplicate: false, message: { seq: CAPACITY + 2 } });
  });

  it('lets only the latest claim append: a room that moved has one writer', async () => {
    const oldOwner = store.open();
    const newOwner = store.open();
    const rid = newRid();
    const oldClaim = await oldOwner.claim(rid, null);
    await oldOwner.append(oldClaim, draft('ann'));
    const newClaim = await newOwner.claim(rid, oldOwner.release(rid));
    expect(newClaim).toMatchObject({ epoch: oldClaim.epoch, lastSeq: 1 });
    await expect(oldOwner.append(oldClaim, draft('ann'))).rejects.toBeInstanceOf(LogClaimLost);
    expect((await newOwner.append(newClaim, draft('bob'))).message.seq).toBe(2);
    expect((await newOwner.read(rid, 0, 10)).messages.map((m) => m.from)).toEqual(['ann', 'bob']);
  });

  it('gives every log a new epoch, and keeps it while the log lives', async () => {
    const roomLog = store.open();
    const [a, b] = [newRid(), newRid()];
    const claimA = await roomLog.claim(a, null);
    const claimB = await roomLog.claim(b, null);
    expect(claimA.epoch).not.toBe(claimB.epoch);
    expect((await roomLog.claim(a, null)).epoch).toBe(claimA.epoch);
  });

  it('keeps a read marker per user and room that only moves forward, and hands it over with the room', async () => {
    const oldOwner = store.open();
    const [rid, other] = [newRid(), newRid()];
    await oldOwner.claim(rid, null);
    await oldOwner.claim(other, null);
    expect(await oldOwner.readMarker(rid, 'ann')).toBe(0);
    expect(await oldOwner.markRead(rid, 'ann', 3)).toBe(3);
    expect(await oldOwner.markRead(rid, 'ann', 2)).toBe(3);
    expect(await oldOwner.markRead(rid, 'bob', 1)).toBe(1);
    expect(await oldOwner.readMarker(other, 'ann')).toBe(0);
    const newOwner = store.open();
    await newOwner.claim(rid, oldOwner.release(rid));
    expect(await newOwner.readMarker(rid, 'ann')).toBe(3);
    expect(await newOwner.readMarker(rid, 'bob')).toBe(1);
  });
});

describe('the redis room log between two trims', () => {
  // Trimmed a batch at a time: the stream holds up to an eighth more than the capacity.
  const capacity = 24;
  const slack = capacity / 8;

  it('keeps at most an eighth more than its capacity in Redis, and reads and repeats only within the last capacity', async () => {
    const roomLog = track(new RedisRoomLog({ url: redis.url, capacity, timeoutMs: 1000, log }));
    const rid = newRid();
    const claim = await roomLog.claim(rid, null);
    const streamLengths: number[] = [];
    const send = async (clientMsgId: string) => {
      const result = await roomLog.append(claim, draft('ann', clientMsgId));
      streamLengths.push(Number(await redisCommand(redis.port, 'XLEN', `${roomKey(rid)}:log`)));
      return result;
    };
    for (let i = 1; i <= capacity + 1; i++) await send(`c-${i}`);
    // Message 1 is still in the stream, past the last `capacity`: neither read nor a repeat.
    const read = await roomLog.read(rid, 0, 100);
    expect(read).toMatchObject({ lastSeq: capacity + 1, firstSeq: 2 });
    expect(read.messages.map((m) => m.seq)).toEqual(Array.from({ length: capacity }, (_v, i) => i + 2));
    expect((await send('c-2')).duplicate).toBe(true);
    const resent = await send('c-1');
    expect(resent).toMatchObject({ duplicate: false, message: { seq: capacity + 2 } });
    await send(`c-${capacity + 3}`);
    await send(`c-${capacity + 4}`);
    // 1 to capacity + 1, the repeat's (nothing added), the resend, up to an eighth past the capacity, trimmed.
    const upTo = (n: number): number[] => Array.from({ length: n }, (_v, i) => i + 1);
    expect(streamLengths).toEqual([...upTo(capacity + 1), capacity + 1, capacity + 2, capacity + slack, capacity]);
    expect(await redisCommand(redis.port, 'HLEN', `${roomKey(rid)}:dedupe`)).toBe(capacity);
    // Trimming message 1 kept its key, which names the message it was sent again as.
    expect(await roomLog.append(claim, draft('ann', 'c-1'))).toMatchObject({ duplicate: true, message: { seq: capacity + 2 } });
  });
});

describe('the redis room log against a Redis that fails', () => {
  it('starts a log again, with a new epoch, when Redis lost its data', async () => {
    const roomLog = stores[1]![1].open();
    const rid = newRid();
    const claim = await roomLog.claim(rid, null);
    await roomLog.append(claim, draft('ann'));
    const epoch = claim.epoch;
    await redis.pause();
    await redis.resume();
    const result = await retryWhileUnavailable(() => roomLog.append(claim, draft('ann')));
    expect(result).toMatchObject({ restarted: true, message: { seq: 1 } });
    expect(claim.epoch).not.toBe(epoch);
  });

  it('goes on in a new epoch, after the seqs it confirmed, when Redis lost its last messages (a failover to a replica that lagged)', async () => {
    const roomLog = stores[1]![1].open();
    const rid = newRid();
    const { claim, snapshot } = await confirmThenLose(roomLog, rid);
    try {
      const epoch = claim.epoch;
      await snapshot.restoreTo(redis.port);
      const result = await retryWhileUnavailable(() => roomLog.append(claim, draft('ann', 'after')));
      expect(result).toMatchObject({ restarted: true, duplicate: false, message: { seq: 4 } });
      expect(claim.epoch).not.toBe(epoch);
      const read = await roomLog.read(rid, 0, 10);
      expect(read).toMatchObject({ epoch: claim.epoch, lastSeq: 4, firstSeq: 1 });
      expect(read.messages.map((m) => m.seq)).toEqual([1, 4]);
      expect((await roomLog.append(claim, draft('ann'))).message.seq).toBe(5);
    } finally {
      await snapshot.stop();
    }
  });

  it("goes on after the seqs a room's old owner confirmed when Redis lost them before the room moved", async () => {
    const [oldOwner, newOwner] = [stores[1]![1].open(), stores[1]![1].open()];
    const rid = newRid();
    const { claim, snapshot } = await confirmThenLose(oldOwner, rid);
    try {
      await snapshot.restoreTo(redis.port);
      // The room moves; its old owner hands over the last seq it confirmed (RoomState.lastSeq).
      const moved = await retryWhileUnavailable(() => newOwner.claim(rid, null, claim.lastSeq));
      expect(moved.lastSeq).toBe(3);
      const result = await newOwner.append(moved, draft('bob', 'after the move'));
      expect(result).toMatchObject({ restarted: true, duplicate: false, message: { seq: 4 } });
      expect(moved.epoch).not.toBe(claim.epoch);
      expect((await newOwner.read(rid, 0, 10)).messages.map((m) => m.seq)).toEqual([1, 4]);
    } finally {
      await snapshot.stop();
    }
  });

  it('answers 503 within its timeout while Redis is down, and works again when it is back', async () => {
    const roomLog = stores[1]![1].open();
    const rid = newRid();
    const claim = await roomLog.claim(rid, null);
    await redis.pause();
    const started = Date.now();
    const failure = await roomLog.append(claim, draft('ann')).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe(503);
    expect(Date.now() - started).toBeLessThan(1500);
    await redis.resume();
    const result = await retryWhileUnavailable(() => roomLog.append(claim, draft('ann')));
    expect(result.message.seq).toBe(1);
  });
});

describe('the redis room log on Redis Sentinel', () => {
  it('answers 503 when no replica confirms an append (both frozen), and the retry with the same clientMsgId settles it', async () => {
    const roomLog = track(sentinelLog());
    const rid = newRid();
    const claim = await retryWhileUnavailable(() => roomLog.claim(rid, null));
    const primary = await sentinel.primary();
    const replicas = sentinel.servers.filter((s) => s !== primary);
    for (const replica of replicas) replica.freeze();
    let failure: unknown;
    try {
      failure = await roomLog.append(claim, draft('ann', 'unconfirmed')).catch((err: unknown) => err);
    } finally {
      for (const replica of replicas) replica.thaw();
    }
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe(503);
    const retried = await roomLog.append(claim, draft('ann', 'unconfirmed'));
    expect(retried).toMatchObject({ duplicate: true, message: { seq: 1, from: 'ann' } });
    expect((await roomLog.append(claim, draft('ann'))).message.seq).toBe(2);
  });

  it('confirms a retry on a new connection only once the replicas have the first append', async () => {
    // A retry that finds its message on a connection that wrote nothing yet (a chat server that just
    // reconnected after a failover) must still wait for the replicas: Redis's WAIT on a new connection does.
    const first = track(sentinelLog(2));
    const rid = newRid();
    const claim = await retryWhileUnavailable(() => first.claim(rid, null));
    const primary = await sentinel.primary();
    const lagging = sentinel.servers.find((s) => s !== primary && s.running)!;
    lagging.freeze();
    try {
      expect(await first.append(claim, draft('ann', 'once')).catch((err: unknown) => err)).toMatchObject({ code: 503 });
      const retry = await track(sentinelLog(2))
        .append(claim, draft('ann', 'once'))
        .catch((err: unknown) => err);
      expect(retry).toMatchObject({ code: 503 });
    } finally {
      lagging.thaw();
    }
    const settled = await retryWhileUnavailable(() => first.append(claim, draft('ann', 'once')));
    expect(settled).toMatchObject({ duplicate: true, message: { seq: 1 } });
  });

  it('keeps every acknowledged append and the epoch when the primary is killed, and appends again after the failover', async () => {
    const roomLog = track(sentinelLog());
    const rid = newRid();
    const claim = await retryWhileUnavailable(() => roomLog.claim(rid, null));
    for (let i = 1; i <= CAPACITY; i++) expect((await roomLog.append(claim, draft('ann', `m${i}`))).message.seq).toBe(i);
    const epoch = claim.epoch;

    await sentinel.killPrimary();
    const after = await retryWhileUnavailable(() => roomLog.append(claim, draft('ann', 'after')), 30_000).catch(async (err: unknown) => {
      throw new Error(`no append within 30 s of the failover (${(err as Error).message}); ${await sentinel.describe()}`);
    });
    expect(after).toMatchObject({ duplicate: false, restarted: false, message: { seq: CAPACITY + 1 } });
    expect(claim.epoch).toBe(epoch);
    const read = await roomLog.read(rid, 0, 100);
    expect(read.epoch).toBe(epoch);
    expect(read.messages.map((m) => m.seq)).toEqual([2, 3, 4, 5, 6]);
    expect((await roomLog.append(claim, draft('ann', 'm3'))).duplicate).toBe(true);
  });
  it('answers 503 for a write in flight when the primary dies, and leaves no rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // The test before killed a primary: back as a replica, so the new primary has two again.
      for (const server of sentinel.servers) if (!server.running) await sentinel.restart(server);
      const roomLog = track(sentinelLog());
      const claim = await retryWhileUnavailable(() => roomLog.claim(newRid(), null));
      const primary = await sentinel.primary();
      // Frozen first, so that the append and the WAIT after it are both unanswered when the connection resets.
      primary.freeze();
      const failed = roomLog.append(claim, draft('ann')).catch((err: unknown) => err);
      await sleep(100);
      const killed = await sentinel.killPrimary();
      expect(await failed).toMatchObject({ code: 503 });
      await retryWhileUnavailable(() => roomLog.append(claim, draft('ann')), 30_000);
      await sentinel.restart(killed);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('the redis room log closing', () => {
  it('closes at once while it is between reconnection attempts (Redis gone)', async () => {
    const roomLog: RoomLog = new RedisRoomLog({ url: redis.url, capacity: CAPACITY, timeoutMs: 200, log });
    // The first call also opens the connection: on a busy machine that alone may take longer than 200 ms.
    await retryWhileUnavailable(() => roomLog.claim(newRid(), null));
    await redis.pause();
    try {
      await expect(roomLog.claim(newRid(), null)).rejects.toBeInstanceOf(AppError);
      const closed = await Promise.race([roomLog.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('hung'), 5000))]);
      expect(closed).toBe('closed');
    } finally {
      await redis.resume();
    }
  });
});

describe('the redis room log on a connection that goes silent', () => {
  it('reconnects after two timeouts without an answer (no FIN, no RST) and appends again', async () => {
    const proxy = await BlackholeProxy.start('127.0.0.1', redis.port);
    try {
      const roomLog = track(new RedisRoomLog({ url: `redis://127.0.0.1:${proxy.port}`, capacity: CAPACITY, timeoutMs: 300, log }));
      const claim = await retryWhileUnavailable(() => roomLog.claim(newRid(), null));
      proxy.cutCurrent();
      await expect(roomLog.append(claim, draft('ann'))).rejects.toMatchObject({ code: 503 });
      // Without the reconnect, every call on the silent connection times out until the deadline.
      const after = await retryWhileUnavailable(() => roomLog.append(claim, draft('ann')), 10_000);
      expect(after).toMatchObject({ duplicate: false, message: { seq: 1 } });
    } finally {
      await proxy.stop();
    }
  });
});

describe('the redis room log told to reconnect while it asks the Sentinels for the primary', () => {
  it('connects again (ioredis gives up for good on a disconnect during that question)', async () => {
    // What a failover announced (+switch-master) during a reconnection does, or a reconnection for silence.
    const connection = new RedisConnection({ url: sentinel.url, timeoutMs: 300, minReplicas: 1, waitMs: 100, log });
    const roomLog = track(new RedisRoomLog({ connection, capacity: CAPACITY }));
    try {
      const claim = await retryWhileUnavailable(() => roomLog.claim(newRid(), null));
      for (const s of sentinel.sentinels) s.freeze();
      try {
        connection.redis.disconnect(true);
        await waitUntil(() => connection.redis.status === 'connecting', 5000, 'ioredis asking the Sentinels');
        connection.redis.disconnect(true);
        await sleep(400);
      } finally {
        for (const s of sentinel.sentinels) s.thaw();
      }
      expect(await retryWhileUnavailable(() => roomLog.append(claim, draft('ann')), 10_000)).toMatchObject({ message: { seq: 1 } });
    } finally {
      await connection.close();
    }
  });
});

describe('the redis room log through Sentinels one of which accepts connections and never answers', () => {
  it('asks the next Sentinel after a timeout and reaches the primary', async () => {
    // The first Sentinel listed is a silent one (a frozen process, a network that vanished): ioredis asks
    // the Sentinels in order, and without a timeout on its questions it waits for this one forever.
    const silent = await BlackholeProxy.start('127.0.0.1', sentinel.sentinels[0]!.port);
    silent.cut();
    try {
      const others = sentinel.sentinels.slice(1).map((s) => `127.0.0.1:${s.port}`);
      const url = `redis+sentinel://127.0.0.1:${silent.port},${others.join(',')}/chat`;
      const roomLog = track(new RedisRoomLog({ url, capacity: CAPACITY, timeoutMs: 300, minReplicas: 1, waitMs: 100, log }));
      const claim = await retryWhileUnavailable(() => roomLog.claim(newRid(), null), 10_000);
      expect(await roomLog.append(claim, draft('ann'))).toMatchObject({ duplicate: false, message: { seq: 1 } });
    } finally {
      await silent.stop();
    }
  });
});

/** Retries `call` while ioredis connects or reconnects (it answers 503 until then), for at most `timeoutMs`. */
/**
 * Appends seq 1 to a new claim of `rid`, snapshots the standalone Redis, then appends seqs 2 and 3: restoring
 * the snapshot loses two confirmed messages (a failover to a replica that lagged). The caller stops the snapshot.
 */
async function confirmThenLose(roomLog: RoomLog, rid: string): Promise<{ claim: LogClaim; snapshot: RedisSnapshot }> {
  const claim = await roomLog.claim(rid, null);
  await roomLog.append(claim, draft('ann', 'kept'));
  const snapshot = await RedisSnapshot.take(redis.port);
  try {
    for (const id of ['lost-1', 'lost-2']) await roomLog.append(claim, draft('ann', id));
  } catch (err) {
    await snapshot.stop();
    throw err;
  }
  return { claim, snapshot };
}

async function retryWhileUnavailable<T>(call: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof AppError) || Date.now() > deadline) throw err;
      await sleep(50);
    }
  }
}
