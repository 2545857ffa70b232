// Clients that run in a process of their own, for test/helpers/client-process.ts: the test process then
// measures without doing their work on its own event loop. Run with fork(); argv: role, gate host, gate port,
// room, then the role's arguments. Each enters through the gate, sends { ready } on IPC, works until it is
// sent 'stop', then sends its result and exits.
//   flood <username>              sends as fast as answers come back, 100 at a time; result: { codes } by reply code
//   steady <sender> <receiver>    one message at a time, each waited for at the receiver, 20 ms apart;
//                                 result: { delivered, longestGapMs, failures }
const { io } = require('socket.io-client');
const { Route } = require('../../dist/app/protocol');

const [role, gateHost, gatePort, rid, ...args] = process.argv.slice(2);
const TIMEOUT_MS = 5000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function connect(host, port) {
  const socket = io(`http://${host}:${port}`, { transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function enter(username) {
  const gate = await connect(gateHost, Number(gatePort));
  const entry = await gate.timeout(TIMEOUT_MS).emitWithAck(Route.queryEntry, { uid: username });
  gate.disconnect();
  if (entry.code !== 200) throw new Error(`queryEntry ${username}: ${JSON.stringify(entry)}`);
  const socket = await connect(entry.host, entry.port);
  const reply = await socket.timeout(TIMEOUT_MS).emitWithAck(Route.enter, { username, rid });
  if (reply.code !== 200) throw new Error(`enter ${username}@${rid}: ${JSON.stringify(reply)}`);
  return socket;
}

const send = (socket, content) =>
  socket
    .timeout(TIMEOUT_MS)
    .emitWithAck(Route.send, { content, target: '*' })
    .catch(() => ({ code: -1 }));

async function flood([username]) {
  const socket = await enter(username);
  let running = true;
  process.once('message', () => (running = false));
  process.send({ ready: true });
  const codes = {};
  while (running) {
    const replies = await Promise.all(Array.from({ length: 100 }, () => send(socket, 'spam')));
    for (const { code } of replies) codes[code] = (codes[code] ?? 0) + 1;
  }
  socket.disconnect();
  return { codes };
}

async function steady([senderName, receiverName]) {
  const sender = await enter(senderName);
  const receiver = await enter(receiverName);
  const waiting = new Map();
  receiver.on('onChat', (message) => waiting.get(message.msg)?.());
  const arrival = (text) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${receiverName} did not get "${text}" within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      waiting.set(text, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  let running = true;
  process.once('message', () => (running = false));
  process.send({ ready: true });
  // "Throughout": the longest wait between two deliveries, from ready to stop.
  let lastDelivery = Date.now();
  let longestGapMs = 0;
  let delivered = 0;
  const failures = [];
  for (let i = 0; running && failures.length < 5; i++) {
    const text = `steady ${i}`;
    const arrived = arrival(text);
    const reply = await send(sender, text);
    if (reply.code !== 200) {
      failures.push(`${text}: ${JSON.stringify(reply)}`);
      arrived.catch(() => undefined);
      continue;
    }
    try {
      await arrived;
    } catch (err) {
      failures.push(err.message);
      continue;
    }
    delivered++;
    longestGapMs = Math.max(longestGapMs, Date.now() - lastDelivery);
    lastDelivery = Date.now();
    await sleep(20);
  }
  sender.disconnect();
  receiver.disconnect();
  return { delivered, longestGapMs, failures };
}

const roles = { flood, steady };

(async () => {
  if (!roles[role]) throw new Error(`unknown role ${role}`);
  const result = await roles[role](args);
  process.send(result, () => process.exit(0));
})().catch((err) => {
  process.stderr.write(`${role} client: ${err.stack ?? err}\n`);
  process.exit(1);
});
