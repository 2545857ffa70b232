import path from 'node:path';
import { ChatClient, closeAllSockets } from '../helpers/chat-client';
import { PrivateRedisServer } from '../../game-server/cli/private-redis-server';
import { TestCluster } from '../helpers/cluster';
import {
  alertExpressions,
  dashboardExpressions,
  metricNamesIn,
  MONITORING_DIR,
  PrometheusServer,
  scrapeConfigFor,
} from '../helpers/prometheus-server';
import { roomsSpreadOver } from '../helpers/rooms';
import { runProcess } from '../helpers/status-cli';
import { waitUntil } from '../helpers/wait';

/** Messages published per second on each chat server, as a dashboard or an alert would ask for it. */
const MESSAGE_RATE = 'sum by (server) (rate(chat_messages_published_total{server_type="chat"}[10s]))';
const ALERTS = ['ClusterMetricsDown', 'ChatServerDown', 'NoMessagesPublished', 'RequestLatencyHigh', 'RedisStoreErrors'];

// The chat servers keep their rooms in Redis, so that the store's series (chat_redis_*) are there too.
describe('monitoring with Prometheus (docs/monitoring/ against a cluster of real processes on the Redis store)', () => {
  let redis: PrivateRedisServer;
  let cluster: TestCluster;
  let prometheus: PrometheusServer;

  const promtool = async (...args: string[]): Promise<string> => {
    const run = await runProcess('promtool', args, process.env, 30_000);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    return run.stdout;
  };

  /** The chat servers for which Prometheus has no message rate above 0. */
  const chatServersWithoutMessages = async (): Promise<string[]> => {
    const rates = new Map((await prometheus.query(MESSAGE_RATE)).map((s) => [s.metric.server, s.value]));
    return cluster.byType('chat').flatMap((s) => ((rates.get(s.id) ?? 0) > 0 ? [] : [s.id]));
  };

  beforeAll(async () => {
    redis = await PrivateRedisServer.start();
    cluster = await TestCluster.start({ connectors: 2, chats: 2, web: true, env: { HISTORY_STORE: 'redis', REDIS_URL: redis.url } });
    prometheus = await PrometheusServer.start(scrapeConfigFor(`127.0.0.1:${cluster.webPort}`, '1s'));
  });

  afterAll(async () => {
    closeAllSockets();
    if ((globalThis as { __testFailed?: boolean }).__testFailed && prometheus) process.stderr.write(`\n${prometheus.recentLog()}\n`);
    await prometheus?.stop();
    await cluster?.stop();
    await redis?.stop();
  });

  it('finds the docs scrape config and alert rules valid with promtool, and their alert unit tests pass', async () => {
    expect(await promtool('check', 'config', path.join(MONITORING_DIR, 'prometheus.yml'))).toContain('SUCCESS: 1 rule files found');
    expect(await promtool('check', 'rules', path.join(MONITORING_DIR, 'alerts.yml'))).toContain(`SUCCESS: ${ALERTS.length} rules found`);
    expect(await promtool('test', 'rules', path.join(MONITORING_DIR, 'alerts.test.yml'))).toContain('SUCCESS');
  });

  it('scrapes every server through the web server, and loads the alert rules', async () => {
    expect((await prometheus.alertNames()).sort()).toEqual([...ALERTS].sort());
    const up = async () => (await prometheus.query('cluster_server_up == 1')).map((s) => s.metric.server).sort();
    const ids = cluster.servers.map((s) => s.id).sort();
    await waitUntil(
      async () => (await up()).length === ids.length,
      20_000,
      'Prometheus did not see every server up',
      async () => JSON.stringify(await up()),
    );
    expect(await up()).toEqual(ids);
    expect(await prometheus.query('up{job="chat-cluster"}')).toEqual([expect.objectContaining({ value: 1 })]);
  });

  it('has a message rate above 0 for every chat server once users chat in rooms on each, and none before', async () => {
    const chats = cluster.byType('chat').map((s) => s.id);
    // Two scrapes of each chat server make a rate (of 0 while nobody chats): the check fails then.
    const rated = async () => (await prometheus.query(MESSAGE_RATE)).length;
    await waitUntil(
      async () => (await rated()) === chats.length,
      20_000,
      'Prometheus had no message rate for each chat server',
      async () => JSON.stringify(await prometheus.query(MESSAGE_RATE)),
    );
    expect(await chatServersWithoutMessages()).toEqual(chats);

    const clients: ChatClient[] = [];
    for (const [, [rid]] of roomsSpreadOver(cluster.byType('chat'), 1, 'prometheus-room')) {
      clients.push(await ChatClient.enter(cluster.gate, `ann-${rid}`, rid!), await ChatClient.enter(cluster.gate, `ben-${rid}`, rid!));
    }
    // Users go on chatting while Prometheus scrapes, as they would.
    let sent = 0;
    await waitUntil(
      async () => {
        for (const client of clients) expect(await client.send(`message ${sent++}`)).toMatchObject({ code: 200 });
        return (await chatServersWithoutMessages()).length === 0;
      },
      20_000,
      'Prometheus had no message rate above 0 for every chat server',
      async () => JSON.stringify(await prometheus.query(MESSAGE_RATE)),
      200,
    );
    for (const client of clients) client.close();
  });

  it('has series for every metric the alert rules and the Grafana dashboard use, and answers every dashboard query', async () => {
    // An error reply, so that request_errors_total has a series.
    const [rid] = roomsSpreadOver(cluster.byType('chat'), 1, 'prometheus-errors').values().next().value!;
    const cat = await ChatClient.enter(cluster.gate, 'cat', rid!);
    expect(await cat.send('x'.repeat(2001))).toMatchObject({ code: 400 });
    cat.close();

    const dashboard = dashboardExpressions({ __rate_interval: '10s', server: '.*' });
    const alerts = alertExpressions();
    expect(alerts).toHaveLength(ALERTS.length);
    const used = [...new Set([...alerts, ...dashboard].flatMap(metricNamesIn))].sort();
    expect(used).toEqual(
      expect.arrayContaining([
        'chat_messages_published_total',
        'chat_redis_errors_total',
        'rpc_request_duration_seconds_bucket',
        'message_hop_seconds_bucket',
      ]),
    );
    const missing = async () => {
      const known = new Set(await prometheus.metricNames());
      return used.filter((name) => !known.has(name));
    };
    await waitUntil(
      async () => (await missing()).length === 0,
      20_000,
      'Prometheus had no series of some metrics in use',
      async () => JSON.stringify(await missing()),
    );
    for (const expr of dashboard) await prometheus.query(expr);
    // The Redis store answered: its error share is 0 on every chat server, not missing.
    const redisErrors = await prometheus.query('increase(chat_redis_errors_total[5m]) / increase(chat_redis_calls_total[5m])');
    expect(redisErrors.map((s) => [s.metric.server, s.value]).sort()).toEqual(cluster.byType('chat').map((s) => [s.id, 0]));
  });
});
