// The room log's append round trip alone: one ioredis connection corked per turn (as RedisConnection writes),
// the room log's own script over 50 rooms, RATES appends a second in bursts every 10 ms for SECONDS each;
// p50 / p99 / max from the call to its reply. What a chat server's `handler_to_push` hop would be on Redis if
// nothing else ran: compare the two (docs/performance.md).
// `node bench/micro/redis-round-trip.js [<checkout with dist/>]` after `npm run build`; needs redis-server.
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '../..'));
const { Redis } = require(path.join(root, 'node_modules/ioredis'));
const { APPEND } = require(path.join(root, 'dist/app/servers/chat/room-log/redis-scripts.js'));
const { freePorts } = require(path.join(root, 'dist/game-server/free-ports.js'));

const RATES = (process.env.RATES ?? '1500,3000').split(',').map(Number);
const SECONDS = Number(process.env.SECONDS ?? 10);
const ROOMS = 50;
const BURST_MS = 10;
const keys = (i) => ['meta', 'log', 'dedupe', 'reads'].map((k) => `chat:room:{r${i}}:${k}`);
const message = JSON.stringify({
  id: 1765000000000000,
  msg: '1765000000000.123 bench',
  from: 'user-123',
  target: '*',
  time: 1765000000000,
});

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
        redis
          .append(...keys(sent % ROOMS), '1', '', message, '200', 'e', '0')
          .then(() => rtts.push(Number(process.hrtime.bigint() - started) / 1e6));
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
  const [port] = await freePorts(1);
  const server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    const redis = new Redis({ port, commandTimeout: 2000, retryStrategy: (n) => (n > 50 ? null : 100) });
    redis.defineCommand('append', { numberOfKeys: 4, lua: APPEND });
    for (let i = 0; i < ROOMS; i++) await redis.hset(keys(i)[0], 'epoch', 'e', 'seq', 0, 'fence', 1);
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
