/**
 * The benchmark's baseline: the whole chat in one Node process on plain socket.io rooms, serving the
 * same routes, pushes, validation and error codes as the cluster (queryEntry answers with itself).
 * `node dist/bench/baseline/baseline-server.js <host> <port>`; exits when its parent goes.
 */
import { startChatServer } from './chat-server';

const [host = '127.0.0.1', portArg = '0'] = process.argv.slice(2);

void startChatServer(host, Number(portArg)).then(
  ({ port }) => process.send?.({ listening: port }),
  (err: unknown) => {
    process.stderr.write(`baseline server: ${String(err)}\n`);
    process.exit(1);
  },
);
// The bench runner is gone (or closed the channel): so is this process.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
