/**
 * A load-generator process (forked by the bench runner, IPC only): enters its users through the gate (GET /entry),
 * sends at the rate it is told, and counts deliveries and send-to-receive latency. The latency is the
 * send time carried in the message content against this machine's clock at receipt.
 */
import { performance } from 'node:perf_hooks';
import { Push, Route, type EnterResult, type Reply } from '../../app/protocol';
import { getEntry } from './get-entry';
import { Histogram } from './histogram';
import { joinRooms, nextRoomOf, type BenchClient } from './room-joins';
import { WireClient } from './wire-client';
import type { BenchUser, EnterReport, LoadReport, ReplyEnvelope, WorkerCommand, WorkerEnvelope, WorkerReply } from './worker-messages';

const TICK_MS = 10;
const CHAT_PREFIX = `42["${Push.chat}"`;
const EVENT_PREFIX = '42["';
const MSG_FIELD = '"msg":"';

const now = (): number => performance.timeOrigin + performance.now();

const clients: BenchClient[] = [];
const latency = new Histogram();
let deliveries = 0;
let pushes: Record<string, number> = {};
let sent = 0;
let acked = 0;
let errors = 0;
let firstError: string | undefined;
let since = performance.now();
let cpuSince = process.cpuUsage();
let perSecond = 0;
let credit = 0;
let nextSender = 0;
let lastTick = performance.now();
let ticker: NodeJS.Timeout | undefined;

function onPush(frame: string): void {
  if (!frame.startsWith(CHAT_PREFIX)) return countPush(frame);
  const at = frame.indexOf(MSG_FIELD);
  if (at < 0) return;
  const sentAt = parseFloat(frame.slice(at + MSG_FIELD.length, at + MSG_FIELD.length + 24));
  deliveries++;
  if (sentAt > 0) latency.record(now() - sentAt);
}

/** Pushes other than onChat (presence, seq...) are counted by name. */
function countPush(frame: string): void {
  if (!frame.startsWith(EVENT_PREFIX)) return;
  const name = frame.slice(EVENT_PREFIX.length, frame.indexOf('"', EVENT_PREFIX.length));
  pushes[name] = (pushes[name] ?? 0) + 1;
}

function onAck(reply: unknown): void {
  if ((reply as { code?: unknown }).code === 200) acked++;
  else {
    errors++;
    firstError ??= JSON.stringify(reply).slice(0, 200);
  }
}

async function enterOne(gate: { host: string; port: number }, user: BenchUser, perPort: Record<string, number>): Promise<number> {
  const started = now();
  const entry = await getEntry(gate, user.username);
  if (entry.code !== 200) throw new Error(`GET /entry: ${JSON.stringify(entry)}`);
  const client = await WireClient.connect(entry.host, entry.port);
  client.onPush = onPush;
  const reply = (await client.request(Route.enter, { username: user.username, rid: user.rid })) as Reply<EnterResult>;
  if (reply.code !== 200) {
    client.close();
    throw new Error(`enter: ${JSON.stringify(reply).slice(0, 200)}`);
  }
  clients.push({ wire: client, rooms: [user.rid], toJoin: user.join ?? [], nextRoom: 0 });
  perPort[entry.port] = (perPort[entry.port] ?? 0) + 1;
  return now() - started;
}

async function enter(gate: { host: string; port: number }, users: BenchUser[], concurrency: number): Promise<EnterReport> {
  const started = performance.now();
  const hist = new Histogram();
  const perPort: Record<string, number> = {};
  let failed = 0;
  let error: string | undefined;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < users.length) {
      const user = users[next++]!;
      try {
        hist.record(await enterOne(gate, user, perPort));
      } catch (err) {
        failed++;
        error ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, users.length) }, lane));
  return {
    type: 'entered',
    entered: users.length - failed,
    failed,
    ...(error !== undefined && { firstError: error }),
    latency: hist.toData(),
    durationMs: performance.now() - started,
    perPort,
  };
}

function tick(): void {
  const at = performance.now();
  credit = Math.min(credit + ((at - lastTick) / 1000) * perSecond, perSecond * 0.05 + 1);
  lastTick = at;
  if (clients.length === 0) return;
  while (credit >= 1) {
    credit -= 1;
    const client = clients[nextSender++ % clients.length]!;
    if (!client.wire.open) continue;
    const rid = nextRoomOf(client);
    const content = `${now().toFixed(3)} bench`;
    client.wire.requestNoTimer(Route.send, rid === undefined ? { content, target: '*' } : { content, target: '*', rid }, onAck);
    sent++;
  }
}

function setRate(rate: number): void {
  perSecond = rate;
  credit = 0;
  lastTick = performance.now();
  if (rate > 0 && !ticker) ticker = setInterval(tick, TICK_MS);
  if (rate === 0 && ticker) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

function reset(): void {
  latency.reset();
  deliveries = sent = acked = errors = 0;
  pushes = {};
  firstError = undefined;
  since = performance.now();
  cpuSince = process.cpuUsage();
}

function report(): LoadReport {
  const cpu = process.cpuUsage(cpuSince);
  return {
    type: 'report',
    sent,
    acked,
    errors,
    ...(firstError !== undefined && { firstError }),
    deliveries,
    pushes,
    latency: latency.toData(),
    elapsedMs: performance.now() - since,
    cpuMs: (cpu.user + cpu.system) / 1000,
    openSockets: clients.filter((c) => c.wire.open).length,
  };
}

async function handle(command: WorkerCommand): Promise<WorkerReply> {
  switch (command.type) {
    case 'enter':
      return enter(command.gate, command.users, command.concurrency);
    case 'join':
      return joinRooms(clients, command.concurrency);
    case 'rate':
      setRate(command.perSecond);
      return { type: 'ok' };
    case 'reset':
      reset();
      return { type: 'ok' };
    case 'report':
      return report();
    case 'close':
      setRate(0);
      for (const client of clients) client.wire.close();
      clients.length = 0;
      return { type: 'ok' };
  }
}

process.on('message', (envelope: WorkerEnvelope) => {
  void handle(envelope.command)
    .catch((err: unknown): WorkerReply => ({ type: 'error', message: (err as Error).message }))
    .then((reply) => process.send?.({ id: envelope.id, reply } satisfies ReplyEnvelope));
});
// The runner is gone (or closed the channel): so is this process.
process.on('disconnect', () => process.exit(0));
