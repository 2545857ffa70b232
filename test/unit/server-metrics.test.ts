import { Application } from '../../game-server/application';
import { SYSTEM_REMOTE, type SystemStatus } from '../../game-server/admin/admin-messages';
import { StatusBoard } from '../../game-server/admin/status-board';
import type { ServerInfo } from '../../game-server/config/server-info';
import { createLogger } from '../../game-server/logger';
import { ServerMetrics } from '../../game-server/metrics/server-metrics';
import { loadRuntimeSettings } from '../../game-server/settings';
import { mergeSnapshots } from '../../web-server/cluster-metrics';
import { parsePrometheusText } from '../helpers/prometheus-text';

const connector: ServerInfo = {
  id: 'connector-server-1',
  serverType: 'connector',
  host: '127.0.0.1',
  port: 4050,
  clientPort: 3050,
  frontend: true,
};
const chat: ServerInfo = { id: 'chat-server-1', serverType: 'chat', host: '127.0.0.1', port: 6050 };
const clients = { connectionCount: 4, boundCount: 3 };

describe('a server status', () => {
  it('has the runtime fields, client counts on a frontend only, and the fields providers add', async () => {
    const board = new StatusBoard(connector, clients);
    board.add(() => ({ rooms: 2, id: 'a provider cannot rename the server' }));
    board.add(async ({ details }) => ({ detailed: details === true }));
    const status = await board.read({ details: true });
    expect(status).toMatchObject({
      id: 'connector-server-1',
      type: 'connector',
      host: '127.0.0.1',
      port: 4050,
      clientPort: 3050,
      pid: process.pid,
      connections: 4,
      sessions: 3,
      rooms: 2,
      detailed: true,
    });
    expect(status.memory.rss).toBeGreaterThan(0);
    expect(Date.parse(status.startedAt)).toBeLessThanOrEqual(Date.now());

    const backend = await new StatusBoard(chat).read();
    expect(backend).not.toHaveProperty('connections');
    expect(backend).not.toHaveProperty('sessions');
  });

  it('is served by the __system remote every application registers, with app.addStatus fields', async () => {
    const servers = new Map([['connector', [connector]]]);
    const app = new Application(connector, servers, loadRuntimeSettings({}), createLogger('t', 'silent'));
    app.addStatus(() => ({ answer: 42 }));
    const status = (await app.remotes.lookup(SYSTEM_REMOTE, 'status')()) as SystemStatus;
    expect(status).toMatchObject({ id: 'connector-server-1', connections: 0, sessions: 0, answer: 42 });
    const metrics = (await app.remotes.lookup(SYSTEM_REMOTE, 'metrics')()) as { name: string }[];
    expect(metrics.map((m) => m.name)).toEqual(expect.arrayContaining(['client_connections', 'nodejs_eventloop_lag_seconds']));
  });

  it('answers only the metrics a query names, labelled like the rest, without collecting the process series', async () => {
    const servers = new Map([['connector', [connector]]]);
    const app = new Application(connector, servers, loadRuntimeSettings({}), createLogger('t', 'silent'));
    const metrics = app.remotes.lookup(SYSTEM_REMOTE, 'metrics');
    const ask = (query: unknown): Promise<unknown> => Promise.resolve(metrics({ redirected: false }, query));
    const picked = (await ask({ names: ['client_connections', 'no_such_metric', 42] })) as {
      name: string;
      values: { labels: Record<string, unknown> }[];
    }[];
    expect(picked.map((m) => m.name)).toEqual(['client_connections']);
    expect(picked[0]!.values[0]!.labels).toMatchObject({ server: 'connector-server-1', server_type: 'connector' });
    expect(await ask({ names: [] })).toEqual([]);
    // A query that names nothing usable is the full snapshot, as before queries existed.
    const all = (await ask({ names: 'client_connections' })) as { name: string }[];
    expect(all.map((m) => m.name)).toEqual(expect.arrayContaining(['client_connections', 'nodejs_eventloop_lag_seconds']));
  });
});

describe('a server metrics registry', () => {
  it('labels every series with the server id and type, and counts what it is told', async () => {
    const metrics = new ServerMetrics(connector, clients);
    metrics.messageIn('chat.chatHandler.send');
    metrics.messageIn('chat.chatHandler.send');
    metrics.messagesDelivered('onChat', 5);
    metrics.messagesDelivered('onAdd', 0);
    metrics.error(409);
    metrics.rpcRequest('forward', 'chat', 200, 0.0007);
    metrics.rpcRequest('forward', 'chat', 503, 1.2);
    metrics.rpcPush('connector', false);
    const text = parsePrometheusText(await metrics.registry.metrics());
    const labels = { server: 'connector-server-1', server_type: 'connector' };
    expect(text.samples('client_messages_in_total')).toEqual([
      { name: 'client_messages_in_total', labels: { ...labels, route: 'chat.chatHandler.send' }, value: 2 },
    ]);
    expect(text.samples('client_messages_out_total')).toEqual([
      { name: 'client_messages_out_total', labels: { ...labels, route: 'onChat' }, value: 5 },
    ]);
    expect(text.sum('client_connections', labels)).toBe(4);
    expect(text.sum('client_sessions', labels)).toBe(3);
    expect(text.sum('request_errors_total', { code: '409' })).toBe(1);
    expect(text.sum('rpc_requests_total', { kind: 'forward', peer_type: 'chat', code: '200' })).toBe(1);
    expect(text.sum('rpc_requests_total', { kind: 'forward', peer_type: 'chat', code: '503' })).toBe(1);
    expect(text.sum('rpc_request_duration_seconds_count', { kind: 'forward' })).toBe(2);
    expect(text.sum('rpc_request_duration_seconds_bucket', { kind: 'forward', le: '0.001' })).toBe(1);
    expect(text.sum('rpc_pushes_total', { result: 'dropped' })).toBe(1);
    for (const family of text.families.values()) {
      for (const sample of family.samples) expect(sample.labels).toMatchObject(labels);
    }
  });

  it('adds what was counted between two scrapes to each series, whose labels stay apart', async () => {
    const metrics = new ServerMetrics(connector, clients, { defaultMetrics: false });
    const scrape = async () => parsePrometheusText(await metrics.registry.metrics());
    metrics.rpcRequest('forward', 'chat', 200, 0.001);
    metrics.rpcRequest('call', 'chat', 200, 0.001);
    metrics.messagesDelivered('onChat', 3);
    expect((await scrape()).sum('rpc_requests_total', { kind: 'forward' })).toBe(1);
    metrics.rpcRequest('forward', 'chat', 200, 0.001);
    metrics.rpcRequest('forward', 'connector', 200, 0.001);
    metrics.messagesDelivered('onChat', 4);
    const text = await scrape();
    expect(text.sum('rpc_requests_total', { kind: 'forward', peer_type: 'chat', code: '200' })).toBe(2);
    expect(text.sum('rpc_requests_total', { kind: 'forward', peer_type: 'connector' })).toBe(1);
    expect(text.sum('rpc_requests_total', { kind: 'call' })).toBe(1);
    expect(text.sum('client_messages_out_total', { route: 'onChat' })).toBe(7);
    expect((await scrape()).sum('client_messages_out_total', { route: 'onChat' })).toBe(7);
  });

  it('reads an application gauge when scraped', async () => {
    const metrics = new ServerMetrics(chat, undefined, { defaultMetrics: false });
    let rooms = 1;
    metrics.gauge('chat_rooms', 'Rooms', () => rooms);
    rooms = 7;
    expect(parsePrometheusText(await metrics.registry.metrics()).sum('chat_rooms')).toBe(7);
  });

  it('reads an application counter when scraped, as a counter that only goes up', async () => {
    const metrics = new ServerMetrics(chat, undefined, { defaultMetrics: false });
    let published = 2;
    metrics.counter('chat_messages_published_total', 'Messages published', () => published);
    const scrape = async () => parsePrometheusText(await metrics.registry.metrics());
    expect((await scrape()).family('chat_messages_published_total').type).toBe('counter');
    published = 5;
    expect((await scrape()).sum('chat_messages_published_total')).toBe(5);
    expect(await metrics.snapshot()).toContainEqual(
      expect.objectContaining({ name: 'chat_messages_published_total', values: [expect.objectContaining({ value: 5 })] }),
    );
  });
});

describe('merging the servers metrics into one exposition', () => {
  it('keeps each family once and every server series as it came (nothing summed, averaged or dropped)', async () => {
    const a = new ServerMetrics(connector, clients);
    const b = new ServerMetrics(chat);
    a.messageIn('connector.entryHandler.enter');
    b.gauge('chat_rooms', 'Rooms held by this chat server', () => 3);
    const snapshots = [await a.snapshot(), await b.snapshot()];
    const merged = parsePrometheusText(await mergeSnapshots(snapshots).metrics());

    for (const name of ['process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'process_resident_memory_bytes']) {
      expect(merged.samples(name).map((s) => s.labels.server)).toEqual(['connector-server-1', 'chat-server-1']);
      const original = snapshots[0]!.find((m) => m.name === name)!.values[0]!.value;
      expect(merged.sum(name, { server: 'connector-server-1' })).toBe(original);
    }
    expect(merged.sum('client_messages_in_total', { server: 'connector-server-1' })).toBe(1);
    expect(merged.sum('chat_rooms', { server: 'chat-server-1' })).toBe(3);
    expect(merged.family('nodejs_gc_duration_seconds').type).toBe('histogram');
  });

  it('is needed: two registries printed one after the other are not valid Prometheus text', async () => {
    const a = new ServerMetrics(connector, clients, { defaultMetrics: false });
    const b = new ServerMetrics({ ...connector, id: 'connector-server-2' }, clients, { defaultMetrics: false });
    const concatenated = `${await a.registry.metrics()}\n${await b.registry.metrics()}`;
    expect(() => parsePrometheusText(concatenated)).toThrow(/appears in two places|second HELP/);
  });
});
