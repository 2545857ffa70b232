// Heap and RSS per client connection of a ClientServer, after a full GC: N wire clients connect and each
// sends one request (the session binds and joins a channel, as an enter does). Deterministic where the
// bench's idle figure (RSS without a GC, on a shared machine) is not.
// `node scripts/connection-heap.js [<checkout with dist/>]` after `npm run build`; N=2500 by default.
const { fork } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..'));
const dist = (file) => require(path.join(root, 'dist', file));
const CONNECTIONS = Number(process.env.N ?? 2500);
const ROOMS = 125;

async function serve() {
  const { ClientServer } = dist('game-server/frontend/client-server.js');
  const { SessionService } = dist('game-server/frontend/session-service.js');
  const { loadRuntimeSettings } = dist('game-server/settings.js');
  const { createLogger } = dist('game-server/logger.js');
  const { freePorts } = dist('game-server/free-ports.js');
  const [port] = await freePorts(1);
  const sessions = new SessionService('connector-1');
  let entered = 0;
  const run = async ({ session }) => {
    const room = `room-${entered % ROOMS}`;
    session.bind(`user-${entered++}*${room}`);
    session.set('rid', room);
    session.join(room);
    return { code: 200 };
  };
  const settings = { ...loadRuntimeSettings(), RATE_LIMIT_PER_SECOND: 1e6, RATE_LIMIT_BURST: 1e6 };
  await new ClientServer({ host: '127.0.0.1', port, settings, sessions, run, log: createLogger('connection-heap', 'warn') }).start();
  process.on('message', () => {
    global.gc();
    global.gc();
    const { heapUsed, rss } = process.memoryUsage();
    process.send({ heapUsed, rss });
  });
  process.send({ port });
}

async function drive() {
  const { WireClient } = dist('bench/load/wire-client.js');
  const child = fork(__filename, [root, 'serve'], { execArgv: ['--expose-gc', '--max-semi-space-size=4'] });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  const { port } = await next();
  const memory = () => (child.send('gc'), next());
  const before = await memory();
  const clients = [];
  for (let i = 0; i < CONNECTIONS; i += 50) {
    const batch = Array.from({ length: Math.min(50, CONNECTIONS - i) }, async () => {
      const client = await WireClient.connect('127.0.0.1', port);
      await client.request('connector.entryHandler.enter', {});
      clients.push(client);
    });
    await Promise.all(batch);
  }
  const after = await memory();
  const perConnection = (field) => ((after[field] - before[field]) / CONNECTIONS / 1024).toFixed(2);
  console.log(
    `${root}: ${CONNECTIONS} connections, per connection after GC: heap ${perConnection('heapUsed')} KiB, RSS ${perConnection('rss')} KiB`,
  );
  for (const client of clients) client.close();
  child.kill();
}

if (process.argv[3] === 'serve') void serve();
else void drive();
