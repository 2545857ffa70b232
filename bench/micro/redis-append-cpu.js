// CPU per room-log append on one ioredis connection, in this process and in redis-server, for three ways of
// writing the commands: ioredis as it is (one write per command), ioredis auto-pipelining, and the socket
// corked for a turn of the event loop (what RedisConnection does). Appends are the room log's own script,
// started PER_TURN at a time over 25 rooms, N in all; each way runs twice, alternating.
// `node bench/micro/redis-append-cpu.js [<checkout with dist/>]` after `npm run build`; needs redis-server.
const { appendArgs, appendClient, claimRooms, cpuMs, startRedis } = require('./redis-fixture');

const N = Number(process.env.N ?? 20000);
const ROOMS = 25;
const WAYS = ['one write each', 'auto-pipelining', 'corked per turn'];

async function appendAll(redis, way, perTurn) {
  let sent = 0;
  while (sent < N) {
    const replies = [];
    if (way === 'corked per turn') {
      redis.stream.cork();
      setImmediate(() => redis.stream.uncork());
    }
    for (let j = 0; j < perTurn; j++, sent++) replies.push(redis.append(...appendArgs(sent % ROOMS)));
    await Promise.all(replies);
  }
}

async function main() {
  const { port, server } = await startRedis();
  try {
    const clients = {};
    for (const way of WAYS) clients[way] = appendClient(port, { enableAutoPipelining: way === 'auto-pipelining' });
    await claimRooms(clients[WAYS[0]], ROOMS);
    console.log(`${N} appends per way and turn size; µs per append: this process's CPU, redis-server's CPU, wall`);
    for (const perTurn of [1, 5, 20]) {
      for (const round of [1, 2]) {
        for (const way of WAYS) {
          const cpu = process.cpuUsage();
          const redisMs = cpuMs(server.pid);
          const started = process.hrtime.bigint();
          await appendAll(clients[way], way, perTurn);
          const wallUs = Number(process.hrtime.bigint() - started) / 1000;
          const used = process.cpuUsage(cpu);
          const per = (us) => (us / N).toFixed(1).padStart(6);
          console.log(
            `${String(perTurn).padStart(2)} per turn, round ${round}, ${way.padEnd(16)}  client ${per(used.user + used.system)}  redis ${per((cpuMs(server.pid) - redisMs) * 1000)}  wall ${per(wallUs)}`,
          );
        }
      }
    }
    for (const client of Object.values(clients)) client.disconnect();
  } finally {
    server.kill();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
