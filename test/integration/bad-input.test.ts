import { io as connectRaw, type Socket } from 'socket.io-client';
import { Route } from '../../app/protocol';
import { closeAllSockets, connect, queryEntry } from '../helpers/chat-client';
import { ClientProcess, type SteadyResult } from '../helpers/client-process';
import { Pm2Cluster, type Pm2Process } from '../helpers/pm2-cluster';

/** Malformed bodies: wrong types, missing fields, huge strings, deep nesting, binary, prototype tricks. */
function badBodies(): unknown[] {
  let deep: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 2000; i++) deep = { a: deep };
  return [
    undefined,
    null,
    42,
    'just a string',
    true,
    [],
    [1, 2, 3],
    {},
    { uid: 7 },
    { uid: '' },
    { uid: '   ' },
    { uid: 'x'.repeat(33) },
    { uid: '\u0000\u0007' },
    { username: ['a'], rid: 'r' },
    { username: 'a', rid: { $gt: '' } },
    { username: 'a*b', rid: 'r' },
    { username: 'ok', rid: 'r'.repeat(65) },
    { username: 'ok', rid: 'r', lastId: 'zero' },
    { content: 'x'.repeat(2001), target: '*' },
    { content: 12, target: '*' },
    { content: 'hi', target: ['*'] },
    { content: 'hi' },
    { __proto__: { polluted: true }, username: 'p' },
    JSON.parse('{"__proto__": {"uid": "admin"}, "constructor": {"prototype": {"x": 1}}}') as unknown,
    deep,
    Buffer.from('binary payload'),
    { uid: Buffer.from('bin') },
    new Array(5000).fill('x'),
    { uid: 'y'.repeat(60_000) },
  ];
}

/** Requests of the flood awaiting their answer at any time. */
const MAX_IN_FLIGHT = 50;

const REAL_ROUTES: string[] = [Route.queryEntry, Route.enter, Route.send, Route.history];
const ROUTES = [
  ...REAL_ROUTES,
  ...REAL_ROUTES,
  ...REAL_ROUTES,
  ...REAL_ROUTES,
  ...REAL_ROUTES,
  '',
  'x',
  'call',
  'forward',
  'push',
  '__proto__',
  'constructor',
  'toString',
  'chat.chatRemote.add',
  'chat.chatRemote.kick',
  '__system.status',
  'connector.entryHandler.__proto__',
  'connector.sessions.get',
  'gate.gateHandler.queryEntry.extra',
  'chat.chatHandler.send\u0000',
  'a'.repeat(1000),
];

describe('bad input at the gate and the connectors', () => {
  let cluster: Pm2Cluster;
  let before: Pm2Process[];
  let steadyPair: ClientProcess<SteadyResult> | undefined;

  beforeAll(async () => {
    // A generous rate limit so that most requests reach validation rather than stopping at 429.
    cluster = await Pm2Cluster.start({ connectors: 3, chats: 3, env: { RATE_LIMIT_PER_SECOND: '5000', RATE_LIMIT_BURST: '5000' } });
    before = await cluster.list();
  });

  afterAll(async () => {
    steadyPair?.kill();
    closeAllSockets();
    await cluster?.stop();
  });

  it('answers 10,000+ malformed requests with 4xx, restarts nothing, and a well-behaved room chats on throughout', async () => {
    // The well-behaved pair in a process of its own: this one is busy with the flood, and its event loop's lag
    // would be measured as the pair's.
    steadyPair = await ClientProcess.steadyPair(cluster.gate, 'steady', 'alice', 'bob');

    const targets: Socket[] = [await connect(cluster.gate.host, cluster.gate.port)];
    for (const name of ['mallory', 'trudy', 'eve', 'oscar', 'chuck', 'sybil']) {
      const entry = await queryEntry(cluster.gate, name);
      if (entry.code !== 200) throw new Error('no connector');
      targets.push(await connect(entry.host, entry.port));
    }
    // Half of the connector sockets enter a room first, so chat routes reach the chat servers' validation.
    for (const [i, socket] of targets.slice(1, 4).entries()) {
      const reply = (await socket.timeout(5000).emitWithAck(Route.enter, { username: `in${i}`, rid: 'steady' })) as { code: number };
      expect(reply.code).toBe(200);
    }

    const codes = new Map<number, number>();
    const unexpected: string[] = [];
    let acked = 0;
    let unacked = 0;
    let disconnected = 0;
    const bodies = badBodies();
    // A window of requests in flight, not thousands at once: each steady message queues behind what is in flight
    // in the connectors, so its wait grows with the window and with the machine's slowness.
    // Beside a CPU-bound process, batches of 2,000 gave gaps of 5-7 s; a window of 50 gives under 0.5 s, and
    // still keeps every server busy.
    const inFlight = new Set<Promise<void>>();
    let slotFree: (() => void) | undefined;
    let sent = 0;
    for (let round = 0; sent < 10_500; round++) {
      for (const socket of targets) {
        for (const route of ROUTES) {
          const body = bodies[(round + sent) % bodies.length];
          sent++;
          if (sent % 10 === 0) {
            // No acknowledgement: must be dropped without harm.
            socket.emit(route, body);
            unacked++;
            continue;
          }
          const job = (socket.timeout(10_000).emitWithAck(route, body) as Promise<{ code: number; error?: string }>).then(
            (reply) => {
              acked++;
              codes.set(reply.code, (codes.get(reply.code) ?? 0) + 1);
              if (reply.code < 400 || reply.code >= 500 || typeof reply.error !== 'string') {
                unexpected.push(`${route.slice(0, 40)} ${JSON.stringify(body)?.slice(0, 80)} -> ${JSON.stringify(reply)}`);
              }
            },
            () => {
              disconnected++;
            },
          );
          inFlight.add(job);
          void job.then(() => {
            inFlight.delete(job);
            slotFree?.();
          });
          if (inFlight.size >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (slotFree = resolve));
        }
      }
    }
    await Promise.all(inFlight);

    // A frame over CLIENT_MAX_FRAME_BYTES closes only its own connection.
    const huge = await connect(cluster.gate.host, cluster.gate.port);
    const closed = new Promise<void>((resolve) => huge.once('disconnect', () => resolve()));
    huge.emit(Route.queryEntry, { uid: 'z'.repeat(1024 * 1024) }, () => undefined);
    await closed;

    const { delivered, longestGapMs, failures } = await steadyPair.stop();
    process.stdout.write(
      `bad input: ${sent} requests (${acked} acknowledged, ${unacked} without ack, ${disconnected} lost with a closed connection); ` +
        `replies by code ${JSON.stringify(Object.fromEntries(codes))}; the steady pair exchanged ${delivered} messages meanwhile, ` +
        `longest gap ${longestGapMs} ms\n`,
    );

    expect(failures).toEqual([]);
    expect(unexpected.slice(0, 5)).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(acked).toBeGreaterThan(9000);
    expect(disconnected).toBe(0);
    expect(delivered).toBeGreaterThan(2);
    expect(longestGapMs).toBeLessThan(2000);
    for (const code of [400, 403, 404]) expect(codes.get(code)).toBeGreaterThan(0);

    const after = await cluster.list();
    for (const server of before) {
      expect(after.find((p) => p.name === server.name)).toMatchObject({ pid: server.pid, status: 'online', restarts: 0 });
    }
  });

  it('refuses an internal-port peer without the RPC secret, on every server', async () => {
    for (const server of cluster.servers) {
      for (const auth of [{}, { secret: 'guess', serverId: 'chat-server-1' }]) {
        const socket = connectRaw(`http://${server.host}:${server.port}`, {
          transports: ['websocket'],
          reconnection: false,
          auth,
          forceNew: true,
        });
        const outcome = await new Promise<string>((resolve) => {
          socket.once('connect', () => resolve('connected'));
          socket.once('connect_error', (err) => resolve(err.message));
        });
        socket.disconnect();
        expect({ server: server.id, outcome }).toEqual({ server: server.id, outcome: 'unauthorized' });
      }
    }
  });
});
