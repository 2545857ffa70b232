import { randomUUID } from 'node:crypto';
import { PrivateRedisSentinel } from '../../game-server/cli/private-redis-sentinel';
import { Route, type RoomMessage, type SendResult } from '../../app/protocol';
import { ChatClient, closeAllSockets, request } from '../helpers/chat-client';
import { Pm2Cluster } from '../helpers/pm2-cluster';
import { waitUntil } from '../helpers/wait';

// The chat servers reach Redis through three Sentinels (a primary, two replicas); a send is answered 200
// once both replicas have it (REDIS_MIN_REPLICAS=2: then no failover can promote a server without it).
// The primary is killed with kill -9 in the middle of traffic and comes back as a replica, as a
// supervised Redis does; until then the new primary has one replica and sends answer 503.
const ROOMS = ['failover-a', 'failover-b', 'failover-c', 'failover-d'];
const FAILOVER_BOUND_MS = 15_000;

describe('the Redis room log through Sentinel when the Redis primary dies', () => {
  let sentinel: PrivateRedisSentinel;
  let cluster: Pm2Cluster;
  const senders: ChatClient[] = [];
  /** Members that send nothing and sit idle across the failover: they must still receive after it. */
  const idle: ChatClient[] = [];
  /** Per room, the texts answered 200, in the order of their seqs. */
  const acknowledged = new Map<string, { text: string; seq: number }[]>(ROOMS.map((rid) => [rid, []]));

  beforeAll(async () => {
    sentinel = await PrivateRedisSentinel.start();
    cluster = await Pm2Cluster.start({
      connectors: 2,
      chats: 2,
      env: {
        HISTORY_STORE: 'redis',
        REDIS_URL: sentinel.url,
        REDIS_MIN_REPLICAS: String(sentinel.replicasPerPrimary),
        REDIS_TIMEOUT_MS: '1000',
      },
    });
    for (const rid of ROOMS) {
      senders.push(await ChatClient.enterWhenBack(cluster.gate, `sender-${rid}`, rid));
      idle.push(await ChatClient.enter(cluster.gate, `idle-${rid}`, rid));
    }
  }, 90_000);

  afterAll(async () => {
    for (const client of [...senders, ...idle]) client.close();
    closeAllSockets();
    await cluster?.stop();
    await sentinel?.stop();
  });

  /** Sends `text` until it is answered 200, resending with the same clientMsgId after a 503; returns the answers seen. */
  async function sendUntilAnswered(sender: ChatClient, text: string, deadline: number): Promise<number[]> {
    const clientMsgId = randomUUID();
    const codes: number[] = [];
    while (Date.now() < deadline) {
      const reply = await request<SendResult>(sender.socket, Route.send, { content: text, target: '*', clientMsgId }, 5000);
      codes.push(reply.code);
      if (reply.code === 200) {
        acknowledged.get(sender.rid)!.push({ text, seq: reply.seq });
        return codes;
      }
      expect(reply.code).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`"${text}" was not answered 200 by the deadline; answers: ${codes.join(',')}; ${await sentinel.describe()}`);
  }

  it('answers 503 (never hangs) until the failover, then 200 again, with no process restarted and nothing acknowledged lost', async () => {
    for (const sender of senders) await sendUntilAnswered(sender, `${sender.rid} before`, Date.now() + 10_000);
    const pidsBefore = new Map((await cluster.list()).map((p) => [p.name, p.pid]));

    const killedAt = Date.now();
    const failover = sentinel.killPrimary().then((killed) => sentinel.restart(killed));
    // Traffic through the failover: each room sends one message after another, each resent until answered.
    const traffic = senders.map(async (sender) => {
      const codes: number[] = [];
      for (let i = 0; i < 8; i++)
        codes.push(...(await sendUntilAnswered(sender, `${sender.rid} during ${i}`, killedAt + FAILOVER_BOUND_MS)));
      return codes;
    });
    await failover;
    const codes = (await Promise.all(traffic)).flat();
    expect(codes).toContain(503);
    const backAt = Date.now();
    expect(backAt - killedAt).toBeLessThan(FAILOVER_BOUND_MS);

    // A room nobody wrote to across the failover: its idle member still gets what is sent now.
    for (const sender of senders) await sendUntilAnswered(sender, `${sender.rid} after`, Date.now() + 10_000);

    for (const member of idle) {
      const expected = acknowledged.get(member.rid)!;
      await waitUntil(
        () => member.received('onChat').length >= expected.length,
        10_000,
        `${member.username} got every acknowledged message`,
        () => JSON.stringify(member.received('onChat').map((m) => m.seq)),
      );
      const got: RoomMessage[] = member.received('onChat');
      // Exactly once and in order: the pushes are the acknowledged messages with seqs 1, 2, 3...
      expect(got.map((m) => m.seq)).toEqual(got.map((_, i) => i + 1));
      expect(got.map((m) => m.msg).sort()).toEqual(expected.map((m) => m.text).sort());
      expect(got.map((m) => m.seq).sort((a, b) => a - b)).toEqual(expected.map((m) => m.seq).sort((a, b) => a - b));
      // The log kept its epoch: nobody was told to start again.
      expect(member.received('onSeq')).toEqual([]);
    }

    const after = await cluster.list();
    for (const proc of after) expect({ name: proc.name, pid: proc.pid }).toEqual({ name: proc.name, pid: pidsBefore.get(proc.name) });
  }, 90_000);
});
