// CPU per forwarded call on one internal link, both ends: an RpcServer in a child process answers
// `forward` at once; this process keeps 200 calls in flight, started in bursts of B per turn, for SECS s.
// `node bench/micro/rpc-link-cpu.js [<checkout with dist/>]` after `npm run build`; B=10 SECS=6 by default.
// Compare two checkouts back to back: CPU per call moves far less with the machine's load than throughput.
const { fork } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '../..'));
const { RpcServer } = require(path.join(root, 'dist/game-server/rpc/rpc-server.js'));
const { RpcClient } = require(path.join(root, 'dist/game-server/rpc/rpc-client.js'));
const { createLogger } = require(path.join(root, 'dist/game-server/logger.js'));
const { freePorts } = require(path.join(root, 'dist/game-server/free-ports.js'));

const BURST = Number(process.env.B ?? 10);
const SECONDS = Number(process.env.SECS ?? 6);
const IN_FLIGHT = 200;
const log = createLogger('rpc-link-cpu', 'silent');
const request = {
  route: 'chat.chatHandler.send',
  body: { content: 'hello there', target: '*' },
  session: { id: 'a', uid: 'u', frontendId: 'x', settings: { rid: 'r' } },
};
const cpuMicros = ({ user, system }) => user + system;

async function serve(port) {
  const dispatcher = { call: async () => ({ ok: true, value: 1 }), forward: async () => ({ code: 200 }), push: () => undefined };
  await new RpcServer({ host: '127.0.0.1', port, secret: 's', log, dispatcher }).start();
  process.on('message', () => process.send({ cpu: process.cpuUsage() }));
  process.send({ up: true });
}

async function drive() {
  const [port] = await freePorts(1);
  const child = fork(__filename, [root, 'serve', String(port)]);
  const next = () => new Promise((resolve) => child.once('message', resolve));
  await next();
  const serverCpu = async () => {
    child.send('cpu');
    return cpuMicros((await next()).cpu);
  };
  const client = new RpcClient({ selfId: 'x', secret: 's', timeoutMs: 5000, log });
  const peer = { id: 'chat-1', serverType: 'chat', host: '127.0.0.1', port };
  await client.forward(peer, request);
  const [server0, client0] = [await serverCpu(), cpuMicros(process.cpuUsage())];
  const end = Date.now() + SECONDS * 1000;
  let inFlight = 0;
  let done = 0;
  await new Promise((resolve) => {
    const pump = () => {
      if (Date.now() > end) return inFlight === 0 ? resolve() : setImmediate(pump);
      for (let i = 0; i < BURST && inFlight < IN_FLIGHT; i++) {
        inFlight++;
        void client.forward(peer, request).then(() => (inFlight--, done++));
      }
      setImmediate(pump);
    };
    pump();
  });
  const [server1, client1] = [await serverCpu(), cpuMicros(process.cpuUsage())];
  const per = (micros) => (micros / done).toFixed(1);
  console.log(
    `${root}: ${done} calls (${Math.round(done / SECONDS)}/s), CPU per call: client ${per(client1 - client0)} µs, ` +
      `server ${per(server1 - server0)} µs, both ${per(client1 - client0 + server1 - server0)} µs`,
  );
  client.close();
  child.kill();
}

if (process.argv[3] === 'serve') void serve(Number(process.argv[4]));
else void drive();
