import { performance } from 'node:perf_hooks';
import type { Socket as NetSocket } from 'node:net';
import { Route } from '../../app/protocol';
import { dispatch } from '../../game-server/router/dispatch';
import { sleep } from '../../game-server/sleep';
import { ChatClient, closeAllSockets, request } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';
import { ClientProcess, type FloodResult } from '../helpers/client-process';

/** A user name that the gate sends to `connectorIndex` of `connectors`. */
function nameOn(cluster: TestCluster, connectorIndex: number, prefix: string): string {
  const connectors = cluster.byType('connector');
  for (let i = 0; ; i++) if (dispatch(`${prefix}${i}`, connectors) === connectors[connectorIndex]) return `${prefix}${i}`;
}

describe('limits: rate, frame size, slow readers, graceful stop', () => {
  let cluster: TestCluster;
  let flooder: ClientProcess<FloodResult> | undefined;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      connectors: 2,
      chats: 1,
      env: { RATE_LIMIT_PER_SECOND: '20', RATE_LIMIT_BURST: '40', CLIENT_MAX_BUFFERED_BYTES: '65536', MESSAGE_MAX_LENGTH: '60000' },
    });
  });

  afterAll(async () => {
    flooder?.kill();
    closeAllSockets();
    await cluster?.stop();
  });

  it('answers a flooding socket 429 while the rest of its room chats on undisturbed', async () => {
    const calm = await ChatClient.enter(cluster.gate, 'calm', 'busy');
    const listener = await ChatClient.enter(cluster.gate, 'listener', 'busy');

    const latencies = async (count: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        const text = `calm ${performance.now()} ${i}`;
        const started = performance.now();
        expect(await calm.send(text)).toMatchObject({ code: 200 });
        await listener.waitFor('onChat', (m) => m.msg === text);
        out.push(performance.now() - started);
        await sleep(60);
      }
      return out;
    };
    const p99 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1]!;

    const before = await latencies(15);
    // In a process of its own: flooding from this one made its event loop lag up to 200 ms on a busy machine,
    // and that lag was measured as the calm user's latency.
    flooder = await ClientProcess.flooder(cluster.gate, 'busy', 'flooder');
    await listener.waitFor('onAdd', (e) => e.user === 'flooder');
    const during = await latencies(15);
    const { codes } = await flooder.stop();

    // Undisturbed: within 250 ms, or within twice what the same machine did just before the flood when it is so
    // busy that the calm user waited longer than 125 ms with no flood at all (seen beside a CPU-bound process with
    // other test files running: 259 ms before, 256 ms during).
    const bound = Math.max(250, 2 * p99(before));
    process.stdout.write(
      `flood: replies by code ${JSON.stringify(Object.fromEntries(codes))}; calm user's send-to-receive p99 ` +
        `${p99(before).toFixed(1)} ms before, ${p99(during).toFixed(1)} ms during the flood (bound ${bound.toFixed(0)} ms)\n`,
    );
    expect(codes.get(429)).toBeGreaterThan(100);
    expect(codes.get(-1)).toBeUndefined();
    expect(p99(during)).toBeLessThan(bound);
    calm.close();
    listener.close();
  });

  it('closes only the connection that sends a frame over the limit', async () => {
    const big = await ChatClient.enter(cluster.gate, 'big', 'frames');
    const other = await ChatClient.enter(cluster.gate, 'other', 'frames');
    const closed = new Promise<string>((resolve) => big.socket.once('disconnect', (reason) => resolve(reason)));
    big.socket.emit(Route.send, { content: 'x'.repeat(100_000), target: '*' }, () => undefined);
    expect(await closed).toBe('transport close');
    await other.waitFor('onLeave', (e) => e.user === 'big');
    expect(await other.send('still here')).toMatchObject({ code: 200 });
    other.close();
  });

  it('drops a client that stops reading once its outgoing buffer passes the bound, and nobody else', async () => {
    const slow = await ChatClient.enter(cluster.gate, 'slow', 'firehose');
    const senders = await Promise.all(['s1', 's2', 's3'].map((n) => ChatClient.enter(cluster.gate, n, 'firehose')));
    const engine = slow.socket.io.engine as unknown as { transport: { ws: { _socket: NetSocket } } };
    engine.transport.ws._socket.pause();

    const chunk = 'y'.repeat(55_000);
    let sent = 0;
    const dropped = senders[0]!.waitFor('onLeave', (e) => e.user === 'slow', 20_000);
    let gone = false;
    void dropped.then(() => (gone = true));
    for (let round = 0; round < 150 && !gone; round++) {
      await Promise.all(
        senders.map(async (s) => {
          const reply = await s.send(chunk);
          if (reply.code === 200) sent++;
        }),
      );
      await sleep(50);
    }
    await dropped;
    // The others got every message, the slow one was the only casualty.
    const last = `after ${sent}`;
    await senders[1]!.send(last);
    for (const s of senders) await s.waitFor('onChat', (m) => m.msg === last);
    expect(senders[2]!.received('onChat').filter((m) => m.msg === chunk)).toHaveLength(sent);
    process.stdout.write(`slow reader: dropped after ${sent} messages of 55 KB\n`);
    for (const s of senders) s.close();
  });

  it('on SIGTERM a connector tells the rooms its users left, and exits cleanly', async () => {
    const staying = await ChatClient.enter(cluster.gate, nameOn(cluster, 0, 'stay'), 'graceful');
    const leaving = await ChatClient.enter(cluster.gate, nameOn(cluster, 1, 'go'), 'graceful');
    expect(leaving.connectorPort).not.toBe(staying.connectorPort);
    const started = Date.now();
    const code = await cluster.stopServer('connector-server-2', 'SIGTERM');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    await staying.waitFor('onLeave', (e) => e.user === leaving.username);
    expect(await request(staying.socket, Route.send, { content: 'bye', target: '*' })).toMatchObject({ code: 200 });
  });
});
