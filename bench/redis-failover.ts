/**
 * How long a room log on Redis Sentinel answers 503 when its primary dies: `npm run build && node
 * dist/bench/redis-failover.js [--failovers 5] [--min-replicas N]`. One writer appends to a room every 20 ms
 * (each append confirmed by REDIS_MIN_REPLICAS replicas, default both, as the chat server does) while the
 * primary is killed with kill -9, N times; as soon as the Sentinels have promoted a replica, the killed server
 * comes back as a replica (a supervised Redis). Per failover: when the Sentinels had promoted a replica, and
 * when the first append after the kill was answered. At the end every acknowledged append must be in the log,
 * in order.
 */
import { Command, Option } from 'commander';
import { RedisRoomLog } from '../app/servers/chat/room-log/redis-room-log';
import type { LogClaim } from '../app/servers/chat/room-log/room-log';
import { PrivateRedisSentinel } from '../game-server/cli/private-redis-sentinel';
import { createLogger } from '../game-server/logger';
import { sleep } from '../game-server/sleep';

const APPEND_EVERY_MS = 20;
const TIMEOUT_MS = 1000;
/** Past this, a failover is reported as failed: Sentinel promotes within a few seconds, a second election within 2 x failover-timeout. */
const NO_ANSWER_LIMIT_MS = 60_000;

interface Failover {
  promotedMs: number;
  firstAnswerMs: number;
  refused: number;
}

async function main(): Promise<void> {
  const options = new Command()
    .addOption(new Option('--failovers <n>', 'primaries to kill').argParser(Number).default(5))
    .addOption(new Option('--min-replicas <n>', 'REDIS_MIN_REPLICAS (default: every replica)').argParser(Number))
    .parse(process.argv)
    .opts<{ failovers: number; minReplicas?: number }>();
  const sentinel = await PrivateRedisSentinel.start();
  const minReplicas = options.minReplicas ?? sentinel.replicasPerPrimary;
  console.log(`REDIS_MIN_REPLICAS=${minReplicas} of ${sentinel.replicasPerPrimary} replicas`);
  const log = new RedisRoomLog({
    url: sentinel.url,
    capacity: 100_000,
    timeoutMs: TIMEOUT_MS,
    minReplicas,
    waitMs: 100,
    log: createLogger('redis-failover', process.env.LOG_LEVEL ?? 'warn'),
  });
  let writing = true;
  const acknowledged: number[] = [];
  const attempts: { at: number; doneAt: number; ok: boolean }[] = [];
  try {
    const rid = 'failover-room';
    let claim: LogClaim | undefined;
    while (!claim) claim = await log.claim(rid).catch(() => sleep(100).then(() => undefined));
    const owned = claim;
    // The claim follows the log into a new epoch (an append that finds it behind starts one): keep the first.
    const firstEpoch = claim.epoch;
    let n = 0;
    const writer = (async () => {
      while (writing) {
        const at = Date.now();
        const id = ++n;
        const ok = await log.append(owned, { id, msg: `m${id}`, from: 'writer', target: '*', time: at, clientMsgId: `c${id}` }).then(
          (r) => (acknowledged.push(r.message.seq), true),
          () => false,
        );
        attempts.push({ at, doneAt: Date.now(), ok });
        await sleep(APPEND_EVERY_MS);
      }
    })();
    const failovers: Failover[] = [];
    for (let i = 1; i <= options.failovers; i++) {
      await sleep(2000);
      const killedAt = Date.now();
      const killed = await sentinel.killPrimary();
      const promotedMs = Date.now() - killedAt;
      const back = sentinel.restart(killed);
      back.catch(() => undefined); // awaited below, after the first answer
      const firstRefused = (): number => attempts.findIndex((a) => !a.ok && a.at >= killedAt);
      const firstAnswered = (): { at: number; doneAt: number; ok: boolean } | undefined =>
        firstRefused() < 0 ? undefined : attempts.slice(firstRefused()).find((a) => a.ok);
      // A connection that never finds the new primary is the finding, not a reason to wait forever.
      while (!firstAnswered()) {
        if (Date.now() - killedAt > NO_ANSWER_LIMIT_MS) {
          throw new Error(
            `failover ${i}: no append answered 200 within ${NO_ANSWER_LIMIT_MS / 1000} s of the kill; ${await sentinel.describe()}`,
          );
        }
        await sleep(20);
      }
      const refusedFrom = firstRefused();
      const answered = firstAnswered()!;
      const failover = {
        promotedMs,
        firstAnswerMs: answered.doneAt - killedAt,
        refused: attempts.slice(refusedFrom).filter((a) => !a.ok && a.at < answered.at).length,
      };
      failovers.push(failover);
      console.log(
        `failover ${i}: replica promoted after ${(promotedMs / 1000).toFixed(1)} s; first append answered 200 ${(failover.firstAnswerMs / 1000).toFixed(1)} s after the kill; ${failover.refused} appends answered 503 before it`,
      );
      await back;
    }
    writing = false;
    await writer;
    const read = await log.read('failover-room', 0, 100_000);
    const inLog = new Set(read.messages.map((m) => m.seq));
    const lost = acknowledged.filter((seq) => !inLog.has(seq)).length;
    const gapFree = read.messages.every((m, i) => m.seq === i + 1);
    const sorted = failovers.map((f) => f.firstAnswerMs).sort((a, b) => a - b);
    console.log(
      `\n${failovers.length} failovers: appends answered 503 for median ${(sorted[sorted.length >> 1]! / 1000).toFixed(1)} s, at most ${(sorted[sorted.length - 1]! / 1000).toFixed(1)} s after the kill; ` +
        `${acknowledged.length} appends acknowledged (${attempts.filter((a) => !a.ok).length} answered 503 in all, replica restarts included), ${lost} of them missing from the log, seqs ${gapFree ? 'gap-free' : 'NOT gap-free'}, epoch ${read.epoch === firstEpoch ? 'kept' : 'CHANGED'}`,
    );
    if (lost > 0 || !gapFree || read.epoch !== firstEpoch) process.exitCode = 1;
  } finally {
    writing = false;
    await log.close();
    await sentinel.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
