// The room log's append round trip alone: one ioredis connection corked per turn (as RedisConnection writes),
// the room log's own script over 50 rooms, RATES appends a second in bursts every 10 ms for SECONDS each;
// p50 / p99 / max from the call to its reply. What a chat server's `handler_to_push` hop would be on Redis if
// nothing else ran: compare the two (docs/performance.md).
// `node bench/micro/redis-round-trip.js [<checkout with dist/>]` after `npm run build`; needs redis-server.
const { appendArgs, appendClient, claimRooms, startRedis } = require('./redis-fixture');

const RATES = (process.env.RATES ?? '1500,3000').split(',').map(Number);
const SECONDS = Number(process.env.SECONDS ?? 10);
const ROOMS = 50;
const BURST_MS = 10;

/** Appends at `rate` a second for SECONDS; resolves with each append's round trip in ms. */
function measure(redis, rate) {
  const rtts = [];
  const perBurst = Math.max(1, Math.round((rate * BURST_MS) / 1000));
  const end = Date.now() + SECONDS * 1000;
  let sent = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      redis.stream.cork();
      setImmediate(() => redis.stream.uncork());
      for (let j = 0; j < perBurst; j++, sent++) {
        const started = process.hrtime.bigint();
        redis.append(...appendArgs(sent % ROOMS)).then(() => rtts.push(Number(process.hrtime.bigint() - started) / 1e6));
      }
      if (Date.now() < end) return;
      clearInterval(timer);
      const done = setInterval(() => {
        if (rtts.length < sent) return;
        clearInterval(done);
        resolve(rtts);
      }, 50);
    }, BURST_MS);
  });
}

async function main() {
  const { port, server } = await startRedis();
  try {
    const redis = appendClient(port);
    await claimRooms(redis, ROOMS);
    for (const rate of RATES) {
      const rtts = (await measure(redis, rate)).sort((a, b) => a - b);
      const q = (p) => rtts[Math.floor(p * (rtts.length - 1))].toFixed(2);
      console.log(`${rate} appends/s for ${SECONDS} s: ${rtts.length} round trips, p50 ${q(0.5)} p99 ${q(0.99)} max ${q(1)} ms`);
    }
    redis.disconnect();
  } finally {
    server.kill();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
