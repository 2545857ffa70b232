import type { ServerInfo } from '../../game-server/config/server-info';
import { freePorts } from '../../game-server/free-ports';
import { createLogger } from '../../game-server/logger';
import { MeteredRpcClient } from '../../game-server/metrics/metered-rpc-client';
import { ServerMetrics } from '../../game-server/metrics/server-metrics';
import type { PushMessage, RemoteCall } from '../../game-server/rpc/rpc-messages';
import { RpcServer } from '../../game-server/rpc/rpc-server';
import { parsePrometheusText } from '../helpers/prometheus-text';
import { waitUntil } from '../helpers/wait';

// A link on loopback inside this test process: the unit is the client's count of frames and bytes.
const SECRET = 'unit-secret';
const log = createLogger('rpc-link-counters-test', 'silent');
const chat: ServerInfo = { id: 'chat-server-1', serverType: 'chat', host: '127.0.0.1', port: 1 };

describe('the frames and bytes on the links a server opened', () => {
  let server: RpcServer | undefined;
  let client: MeteredRpcClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.stop();
  });

  it('count a batch of pushes as one frame, a call as two, and every payload character', async () => {
    const [port] = await freePorts(1);
    const peer = { id: 'connector-server-1', serverType: 'connector', host: '127.0.0.1', port: port! } satisfies ServerInfo;
    const received: PushMessage[] = [];
    const dispatcher = {
      call: (call: RemoteCall) => Promise.resolve({ ok: true as const, value: `${call.method} answered` }),
      forward: () => Promise.reject(new Error('not in this test')),
      push: (push: PushMessage) => void received.push(push),
    };
    server = new RpcServer({ host: peer.host, port: peer.port, secret: SECRET, log, dispatcher });
    await server.start();
    const metrics = new ServerMetrics(chat, undefined, { defaultMetrics: false });
    client = new MeteredRpcClient(metrics, { selfId: chat.id, secret: SECRET, timeoutMs: 2000, log });
    const scrape = async (name: string, direction: string): Promise<number> =>
      parsePrometheusText(await metrics.registry.metrics()).sum(name, { direction });

    await client.call(peer, { service: 'test', method: 'ping', args: [] });
    const [framesOut, framesIn] = [await scrape('rpc_link_frames_total', 'out'), await scrape('rpc_link_frames_total', 'in')];
    // The call and its answer, and the answer to socket.io's connect packet (sent as the link opens, before
    // the counter is on: one uncounted frame per connection, none per message).
    expect([framesOut, framesIn]).toEqual([1, 2]);
    const bytesIn = await scrape('rpc_link_bytes_total', 'in');
    expect(bytesIn).toBeGreaterThan('ping answered'.length);

    const push = { route: 'onChat', msg: { text: 'x'.repeat(1000) }, uids: ['u1'] };
    for (let i = 0; i < 5; i++) client.push(peer, push);
    await waitUntil(() => received.length === 5, 5000, 'five pushes');
    expect(await scrape('rpc_link_frames_total', 'out')).toBe(framesOut + 1);
    const bytesOut = await scrape('rpc_link_bytes_total', 'out');
    expect(await scrape('rpc_link_frames_total', 'in')).toBe(framesIn);
    // The five pushes travel whole, once each, in that one frame.
    expect(bytesOut).toBeGreaterThan(5 * JSON.stringify(push).length);
    expect(bytesOut).toBeLessThan(5 * JSON.stringify(push).length + 400);
  });
});
