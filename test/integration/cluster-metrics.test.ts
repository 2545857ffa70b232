import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Route } from '../../app/protocol';
import { DEFAULT_RPC_SECRET } from '../../game-server/settings';
import { clusterMetricsHandler, collectClusterMetrics, METRICS_CONTENT_TYPE } from '../../web-server/cluster-metrics';
import { ChatClient, closeAllSockets } from '../helpers/chat-client';
import { PROJECT_ROOT, TestCluster } from '../helpers/cluster';
import { parsePrometheusText, type PrometheusText } from '../helpers/prometheus-text';
import { runProcess } from '../helpers/status-cli';
import { waitUntil } from '../helpers/wait';

describe('the cluster /metrics endpoint (gate, 2 connectors, 2 chat servers, real processes)', () => {
  let cluster: TestCluster;
  let http: Server;
  let url: string;

  const scrape = async (): Promise<PrometheusText> => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(METRICS_CONTENT_TYPE);
    return parsePrometheusText(await res.text());
  };

  beforeAll(async () => {
    // Every request carries its times (message_hop_seconds), so that the hops below count exactly.
    cluster = await TestCluster.start({ connectors: 2, chats: 2, env: { HOP_SAMPLE_EVERY: '1' } });
    const options = { servers: cluster.servers, secret: cluster.processEnv().RPC_SECRET ?? DEFAULT_RPC_SECRET };
    const handler = clusterMetricsHandler(options);
    http = createServer((req, res) => (req.url === '/metrics' ? handler(req, res) : res.writeHead(404).end()));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/metrics`;
  });

  afterAll(async () => {
    closeAllSockets();
    await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
    await cluster?.stop();
  });

  it('serves one valid Prometheus exposition with series for every server id', async () => {
    const metrics = await scrape();
    for (const server of cluster.servers) {
      const labels = { server: server.id, server_type: server.serverType };
      expect(metrics.samples('cluster_server_up', labels)).toEqual([{ name: 'cluster_server_up', labels, value: 1 }]);
      expect(metrics.samples('nodejs_eventloop_lag_seconds', labels)).toHaveLength(1);
      expect(metrics.sum('process_resident_memory_bytes', labels)).toBeGreaterThan(10 * 1024 * 1024);
      expect(metrics.samples('process_start_time_seconds', labels)).toHaveLength(1);
    }
    for (const server of cluster.servers.filter((s) => s.frontend)) {
      expect(metrics.samples('client_connections', { server: server.id })).toHaveLength(1);
      expect(metrics.samples('client_sessions', { server: server.id })).toHaveLength(1);
    }
    for (const server of cluster.byType('chat')) {
      expect(metrics.samples('chat_rooms', { server: server.id })).toEqual([expect.objectContaining({ value: 0 })]);
    }
    for (const name of ['client_messages_in_total', 'client_messages_out_total', 'request_errors_total', 'rpc_requests_total']) {
      expect(metrics.family(name).type).toBe('counter');
    }
    expect(metrics.family('rpc_request_duration_seconds').type).toBe('histogram');
  });

  it('counts messages in and out, RPC calls, rooms and errors as users chat', async () => {
    // Each connector re-sends its users (a `resync` call) when its link to a chat server comes up; a link
    // that came up late would count one call more below. Wait until every connector-chat link has.
    const links = cluster.byType('connector').length * cluster.byType('chat').length;
    const resyncs = async (): Promise<number> => (await scrape()).sum('rpc_requests_total', { kind: 'call', server_type: 'connector' });
    await waitUntil(
      async () => (await resyncs()) >= links,
      10_000,
      `the connectors did not re-send their users over all ${links} links`,
      async () => `${await resyncs()} resync calls`,
      50,
    );
    const before = await scrape();
    const rid = 'metrics-room';
    const ann = await ChatClient.enter(cluster.gate, 'ann', rid);
    const ben = await ChatClient.enter(cluster.gate, 'ben', rid);
    const cat = await ChatClient.enter(cluster.gate, 'cat', rid);
    for (let i = 0; i < 5; i++) expect(await ann.send(`message ${i}`)).toMatchObject({ code: 200 });
    for (const client of [ann, ben, cat]) await client.waitFor('onChat', (m) => m.msg === 'message 4');
    expect(await ben.send('x'.repeat(2001))).toMatchObject({ code: 400 });
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string> = {}): number => after.sum(name, labels) - before.sum(name, labels);
    expect(delta('client_messages_in_total', { route: Route.queryEntry, server_type: 'gate' })).toBe(3);
    expect(delta('client_messages_in_total', { route: Route.enter })).toBe(3);
    expect(delta('client_messages_in_total', { route: Route.send })).toBe(6);
    // Every broadcast reaches all three members; onAdd reached ann twice and ben once.
    expect(delta('client_messages_out_total', { route: 'onChat' })).toBe(15);
    expect(delta('client_messages_out_total', { route: 'onAdd' })).toBe(3);
    expect(delta('rpc_requests_total', { kind: 'forward', peer_type: 'chat', code: '200' })).toBe(5);
    expect(delta('rpc_requests_total', { kind: 'forward', peer_type: 'chat', code: '400' })).toBe(1);
    expect(delta('rpc_request_duration_seconds_count', { kind: 'forward' })).toBe(6);
    expect(delta('rpc_requests_total', { kind: 'call', peer_type: 'chat', code: '200', server_type: 'connector' })).toBe(3);
    expect(delta('rpc_pushes_total', { server_type: 'chat', result: 'sent' })).toBeGreaterThanOrEqual(5);
    expect(delta('request_errors_total', { code: '400', server_type: 'chat' })).toBe(1);
    expect(after.sum('chat_rooms')).toBe(1);
    expect(after.sum('chat_room_members')).toBe(3);
    expect(after.sum('client_sessions', { server_type: 'connector' })).toBe(3);

    // Where the messages' time went: each traced send once on its chat server (the bad one too: the
    // handler started), each of the 5 messages once more when its pushes left, every push batch on the
    // connector that read it, and each message once on ann's connector, which received it and wrote it.
    const hops = (hop: string, serverType: string): number => delta('message_hop_seconds_count', { hop, server_type: serverType });
    expect(hops('receipt_to_handler', 'chat')).toBe(6);
    expect(hops('handler_to_push', 'chat')).toBe(5);
    expect(hops('push_link', 'connector')).toBeGreaterThanOrEqual(5);
    expect(hops('push_to_write', 'connector')).toBe(hops('push_link', 'connector'));
    expect(hops('receipt_to_write', 'connector')).toBe(5);
    expect(after.family('message_hop_seconds').type).toBe('histogram');
  });

  it('prints the same from config/servers.json when run on its own (node dist/web-server/cluster-metrics.js)', async () => {
    const run = await runProcess(process.execPath, [path.join(PROJECT_ROOT, 'dist/web-server/cluster-metrics.js')], cluster.processEnv());
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const metrics = parsePrometheusText(run.stdout);
    expect(metrics.samples('cluster_server_up').map((s) => [s.labels.server, s.value])).toEqual(cluster.servers.map((s) => [s.id, 1]));
  });

  it('reports a stopped server with cluster_server_up 0, and still answers at once', async () => {
    const stopped = cluster.byType('chat')[1]!;
    await cluster.stopServer(stopped.id);
    const metrics = await scrape();
    expect(metrics.sum('cluster_server_up', { server: stopped.id })).toBe(0);
    expect(metrics.sum('cluster_server_up')).toBe(cluster.servers.length - 1);
    // Nothing but the gatherer's own series speaks for it.
    const itsFamilies = [...metrics.families.values()].filter((f) => f.samples.some((s) => s.labels.server === stopped.id));
    expect(itsFamilies.map((f) => f.name).sort()).toEqual(['cluster_scrape_duration_seconds', 'cluster_server_up']);
    // A refused connection is an answer: the scrape does not wait out the timeout for it.
    const started = Date.now();
    expect(await collectClusterMetrics({ servers: [stopped], secret: 'unused', timeoutMs: 30_000 })).toContain(
      `cluster_server_up{server="${stopped.id}",server_type="chat"} 0`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
