// The flooding client of test/helpers/flooder.ts, in a process of its own: through the gate into a room,
// then sends as fast as the answers come back, 100 at a time, until told to stop; reports the answers by code.
// Run with fork(): argv gate host, gate port, username, room.
const { io } = require('socket.io-client');
const { Route } = require('../../dist/app/protocol');

const [host, port, username, rid] = process.argv.slice(2);
const TIMEOUT_MS = 5000;

function connect(connectHost, connectPort) {
  const socket = io(`http://${connectHost}:${connectPort}`, { transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function main() {
  const gate = await connect(host, Number(port));
  const entry = await gate.timeout(TIMEOUT_MS).emitWithAck(Route.queryEntry, { uid: username });
  gate.disconnect();
  if (entry.code !== 200) throw new Error(`queryEntry: ${JSON.stringify(entry)}`);
  const socket = await connect(entry.host, entry.port);
  const entered = await socket.timeout(TIMEOUT_MS).emitWithAck(Route.enter, { username, rid });
  if (entered.code !== 200) throw new Error(`enter: ${JSON.stringify(entered)}`);

  let flooding = true;
  process.once('message', () => (flooding = false));
  process.send({ ready: true, connectorPort: entry.port });
  const codes = {};
  while (flooding) {
    const replies = await Promise.all(
      Array.from({ length: 100 }, () =>
        socket
          .timeout(TIMEOUT_MS)
          .emitWithAck(Route.send, { content: 'spam', target: '*' })
          .catch(() => ({ code: -1 })),
      ),
    );
    for (const { code } of replies) codes[code] = (codes[code] ?? 0) + 1;
  }
  socket.disconnect();
  process.send({ codes }, () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`flooder: ${err.stack ?? err}\n`);
  process.exit(1);
});
