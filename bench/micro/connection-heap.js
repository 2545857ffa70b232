// Heap and RSS per client connection after a full GC, side by side: a ClientServer (the connectors'
// socket.io server) and a bare socket.io server with the same options, each in its own process. N wire
// clients connect and each sends one request (on the ClientServer the session binds and joins a channel,
// as an enter does; the bare server only answers). Deterministic where the bench's idle figure (RSS
// without a GC, on a shared machine) is not; the bare line is what socket.io itself keeps per connection.
// `node bench/micro/connection-heap.js [<checkout with dist/>]` after `npm run build`; N=2500 by default.
const { fork } = require('node:child_process');
const { createServer } = require('node:http');
const path = require('node:path');

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '../..'));
const dist = (file) => require(path.join(root, 'dist', file));
const CONNECTIONS = Number(process.env.N ?? 2500);
const ROOMS = 125;

async function serveClientServer(port, settings) {
  const { ClientServer } = dist('game-server/frontend/client-server.js');
  const { SessionService } = dist('game-server/frontend/session-service.js');
  const { createLogger } = dist('game-server/logger.js');
  const sessions = new SessionService('connector-1');
  let entered = 0;
  const run = async ({ session }) => {
    const room = `room-${entered % ROOMS}`;
    session.bind(`user-${entered++}*${room}`);
    session.set('rid', room);
    session.join(room);
    return { code: 200 };
  };
  await new ClientServer({ host: '127.0.0.1', port, settings, sessions, run, log: createLogger('connection-heap', 'warn') }).start();
}

async function serveBare(port, settings) {
  const { Server } = require(require.resolve('socket.io', { paths: [root] }));
  const http = createServer();
  const io = new Server(http, dist('game-server/frontend/client-server.js').socketIoOptions(settings));
  io.on('connection', (socket) => socket.onAny((_route, _body, ack) => ack({ code: 200 })));
  await new Promise((resolve) => http.listen(port, '127.0.0.1', resolve));
}

async function serve(kind) {
  const { loadRuntimeSettings } = dist('game-server/settings.js');
  const { freePorts } = dist('game-server/free-ports.js');
  const [port] = await freePorts(1);
  const settings = { ...loadRuntimeSettings(), RATE_LIMIT_PER_SECOND: 1e6, RATE_LIMIT_BURST: 1e6 };
  await (kind === 'bare' ? serveBare : serveClientServer)(port, settings);
  process.on('message', () => {
    global.gc();
    global.gc();
    const { heapUsed, rss } = process.memoryUsage();
    process.send({ heapUsed, rss });
  });
  process.send({ port });
}

async function measure(kind) {
  const { WireClient } = dist('bench/load/wire-client.js');
  const child = fork(__filename, [root, 'serve', kind], { execArgv: ['--expose-gc', '--max-semi-space-size=4'] });
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
  const name = kind === 'bare' ? 'bare socket.io, same options' : 'ClientServer (connector)';
  console.log(
    `${name}: ${CONNECTIONS} connections, per connection after GC: heap ${perConnection('heapUsed')} KiB, RSS ${perConnection('rss')} KiB`,
  );
  for (const client of clients) client.close();
  child.kill();
}

if (process.argv[3] === 'serve') void serve(process.argv[4]);
else
  void (async () => {
    console.log(root);
    await measure('client-server');
    await measure('bare');
  })();
