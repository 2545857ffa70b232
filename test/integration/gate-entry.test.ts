/**
 * The gate's plain-HTTP entry, `GET /entry?uid=`, against a real gate: the same answer as
 * `gate.gateHandler.queryEntry` for the same uid, a code and a reason for each bad input, 405 for
 * other methods, CORS as the gate's socket.io answers it (preflight included), 429 past the rate limit
 * on one connection, socket.io's own path untouched, its counts in /metrics, and 503 once no connector is up.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { ENTRY_PATH } from '../../app/protocol';
import { DEFAULT_RPC_SECRET } from '../../game-server/settings';
import { collectClusterMetrics } from '../../web-server/cluster-metrics';
import { queryEntry } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';
import { parsePrometheusText, type PrometheusText } from '../helpers/prometheus-text';
import { waitUntil } from '../helpers/wait';

const ALLOWED = 'http://web.example';
const BURST = 5;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('GET /entry on the gate', () => {
  let cluster: TestCluster;

  /** One HTTP request to the gate's client port, on a connection of its own unless `agent` is given. */
  const call = (path: string, options: { method?: string; headers?: OutgoingHttpHeaders; agent?: Agent } = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const { host, port } = cluster.gate;
      const req = httpRequest(
        { host, port, path, method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        },
      );
      req.setTimeout(5000, () => req.destroy(new Error(`no answer to ${path} within 5 s`)));
      req.on('error', reject);
      req.end();
    });
  const entry = (uid: string): string => `${ENTRY_PATH}?uid=${encodeURIComponent(uid)}`;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      connectors: 2,
      chats: 1,
      env: { CORS_ORIGIN: `${ALLOWED},http://other.example`, RATE_LIMIT_BURST: String(BURST), RATE_LIMIT_PER_SECOND: '0.1' },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('answers what queryEntry answers for the same uid, as JSON that no one caches', async () => {
    for (const uid of ['alice', 'bob', 'carol', 'dave', 'zoë 🙂']) {
      const answer = await call(entry(uid));
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(JSON.parse(answer.body)).toEqual(await queryEntry(cluster.gate, uid));
    }
    const ports = new Set<number>();
    for (let i = 0; ports.size < 2 && i < 50; i++) ports.add((JSON.parse((await call(entry(`user${i}`))).body) as { port: number }).port);
    expect([...ports].sort()).toEqual(
      cluster
        .byType('connector')
        .map((c) => c.clientPort)
        .sort(),
    );
  });

  it('answers each bad uid with 400 and the reason queryEntry gives', async () => {
    const cases: [string, string][] = [
      [ENTRY_PATH, 'uid is required'],
      [`${ENTRY_PATH}?name=alice`, 'uid is required'],
      [entry(''), 'uid must not be empty'],
      [entry('   '), 'uid must not be empty'],
      [entry('x'.repeat(33)), 'uid must be at most 32 characters'],
      [entry('a\u0007b'), 'uid must not contain control characters'],
    ];
    for (const [path, reason] of cases) {
      const answer = await call(path);
      expect({ path, status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({
        path,
        status: 400,
        body: { code: 400, error: reason },
      });
    }
    // The same schema as the socket.io route: its reply for the same bad uid is the same.
    expect(await queryEntry(cluster.gate, 'x'.repeat(33))).toEqual({ code: 400, error: 'uid must be at most 32 characters' });
  });

  it('answers 405 with Allow to other methods, HEAD with headers only, and keeps other paths 404', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const answer = await call(entry('alice'), { method });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('GET, HEAD, OPTIONS');
      expect(JSON.parse(answer.body)).toEqual({ code: 405, error: `${method} is not allowed on /entry: use GET` });
    }
    const head = await call(entry('alice'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    for (const path of ['/', '/entry/', '/entry2?uid=a', '/favicon.ico']) expect((await call(path)).status).toBe(404);
  });

  it('allows the origins CORS_ORIGIN lists, as the gate’s socket.io does, preflight included', async () => {
    const socketIoOrigin = async (origin: string): Promise<unknown> =>
      (await call('/socket.io/?EIO=4&transport=polling', { headers: { origin } })).headers['access-control-allow-origin'];
    for (const origin of [ALLOWED, 'http://evil.example']) {
      const answer = await call(entry('alice'), { headers: { origin } });
      expect(answer.status).toBe(200);
      expect(answer.headers['access-control-allow-origin']).toEqual(await socketIoOrigin(origin));
    }
    expect(await socketIoOrigin(ALLOWED)).toBe(ALLOWED);
    const preflight = await call(entry('alice'), {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-requested-with' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-methods': 'GET, HEAD, OPTIONS',
      'access-control-allow-headers': 'x-requested-with',
    });
  });

  it('answers 429 past the rate limit on one connection, and a new connection gets in', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const codes: number[] = [];
      for (let i = 0; i <= BURST; i++) codes.push((await call(entry('alice'), { agent })).status);
      expect(codes).toEqual([...Array<number>(BURST).fill(200), 429]);
      expect(JSON.parse((await call(entry('alice'), { agent })).body)).toEqual({ code: 429, error: 'too many requests, slow down' });
    } finally {
      agent.destroy();
    }
    expect((await call(entry('alice'))).status).toBe(200);
  });

  it('counts its requests and errors in the gate’s metrics, as the socket.io route’s', async () => {
    const scrape = async (): Promise<PrometheusText> =>
      parsePrometheusText(
        await collectClusterMetrics({ servers: cluster.servers, secret: cluster.processEnv().RPC_SECRET ?? DEFAULT_RPC_SECRET }),
      );
    const gate = { server_type: 'gate' };
    const before = await scrape();
    expect((await call(entry('alice'))).status).toBe(200);
    expect((await call(entry(''))).status).toBe(400);
    expect((await call(entry('alice'), { method: 'POST' })).status).toBe(405);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>): number => after.sum(name, labels) - before.sum(name, labels);
    expect(delta('client_messages_in_total', { ...gate, route: `GET ${ENTRY_PATH}` })).toBe(2);
    expect(delta('request_errors_total', { ...gate, code: '400' })).toBe(1);
    expect(delta('request_errors_total', { ...gate, code: '405' })).toBe(1);
  });

  it('answers 503 once no connector is up', async () => {
    await Promise.all(cluster.byType('connector').map((c) => cluster.stopServer(c.id, 'SIGKILL')));
    let last: Answer | undefined;
    await waitUntil(
      async () => (last = await call(entry('alice'))).status === 503,
      20_000,
      'the gate answers 503',
      () => JSON.stringify(last),
    );
    expect(JSON.parse(last!.body)).toEqual({ code: 503, error: 'no connector is up' });
  });
});
