// What the Redis micro benchmarks share: the checkout's ioredis and room-log append script, a redis-server of
// their own, one append's keys and arguments, and the bench's reading of a process's CPU time. The checkout is the first argument (default: this one).
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '../..'));
const { Redis } = require(path.join(root, 'node_modules/ioredis'));
const { APPEND } = require(path.join(root, 'dist/app/servers/chat/room-log/redis-scripts.js'));
const { freePorts } = require(path.join(root, 'dist/game-server/free-ports.js'));
const { cpuMs } = require(path.join(root, 'dist/bench/proc-stats.js'));

const message = JSON.stringify({
  id: 1765000000000000,
  msg: '1765000000000.123 bench',
  from: 'user-123',
  target: '*',
  time: 1765000000000,
});
const keys = (room) => ['meta', 'log', 'dedupe', 'reads'].map((k) => `chat:room:{r${room}}:${k}`);

/** The append script's keys and arguments for one message to `room`: fence 1, no dedupe key, 200 kept, nothing confirmed yet. */
const appendArgs = (room) => [...keys(room), '1', '', message, '200', 'e', '0'];

/** A redis-server on a free port, without persistence. */
async function startRedis() {
  const [port] = await freePorts(1);
  const server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  return { port, server };
}

/** An ioredis client of `port` with the append script as `append`. */
function appendClient(port, options = {}) {
  const redis = new Redis({ port, commandTimeout: 2000, retryStrategy: (n) => (n > 50 ? null : 100), ...options });
  redis.defineCommand('append', { numberOfKeys: 4, lua: APPEND });
  return redis;
}

/** Claims rooms 0 to `rooms` - 1 as the appends expect them (epoch 'e', fence 1). */
async function claimRooms(redis, rooms) {
  for (let i = 0; i < rooms; i++) await redis.hset(keys(i)[0], 'epoch', 'e', 'seq', 0, 'fence', 1);
}

module.exports = { appendArgs, appendClient, claimRooms, cpuMs, startRedis };
