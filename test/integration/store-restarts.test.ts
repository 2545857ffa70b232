import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Route, type ChatMessage, type EnterResult } from '../../app/protocol';
import { dispatch } from '../../game-server/router/dispatch';
import { listeningPort, type ServerInfo } from '../../game-server/config/server-info';
import { sleep } from '../../game-server/sleep';
import { ChatClient, closeAllSockets, request, type PushPayload } from '../helpers/chat-client';
import { waitForPort } from '../helpers/free-port';
import { Pm2Cluster } from '../helpers/pm2-cluster';
import { RedisSnapshot } from '../helpers/redis-snapshot';
import { waitUntil } from '../helpers/wait';

type Fault = 'graceful restart' | 'reload' | 'kill -9' | 'stop and start';

/** What each room log keeps across each way a server goes (the table in docs/delivery.md). */
const KEPT: Record<'memory' | 'redis', Record<Fault, boolean>> = {
  memory: { 'graceful restart': true, reload: true, 'kill -9': false, 'stop and start': true },
  redis: { 'graceful restart': true, reload: true, 'kill -9': true, 'stop and start': true },
};

async function sendOk(client: ChatClient, text: string): Promise<number> {
  const reply = await client.send(text);
  if (reply.code !== 200) throw new Error(`${client.username} send "${text}": ${JSON.stringify(reply)}`);
  return reply.seq;
}

const seqsOf = (messages: readonly ChatMessage[]): number[] => messages.map((m) => m.seq);

describe.each(['memory', 'redis'] as const)('what the %s room log keeps when its servers go', (store) => {
  let cluster: Pm2Cluster;
  let chats: ServerInfo[];

  beforeAll(async () => {
    cluster = await Pm2Cluster.startOn(store, { connectors: 2, chats: 2 });
    chats = cluster.servers.filter((s) => s.serverType === 'chat');
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  async function pidsOf(ids: string[]): Promise<Map<string, number>> {
    const list = await cluster.list();
    return new Map(ids.map((id) => [id, list.find((p) => p.name === id)?.pid ?? 0]));
  }

  /** Carries out `fault` on the chat server of `rid` (or every server); resolves once each one it hit runs a new pid. */
  async function carryOut(fault: Fault, rid: string): Promise<void> {
    const chat = dispatch(rid, chats);
    const hit = fault === 'reload' || fault === 'stop and start' ? cluster.servers : [chat];
    const before = await pidsOf(hit.map((s) => s.id));
    if (fault === 'graceful restart') await cluster.pm2('restart', chat.id);
    if (fault === 'reload') await cluster.pm2('reload', 'ecosystem.config.js');
    if (fault === 'kill -9') await cluster.kill9(chat.id);
    if (fault === 'stop and start') await cluster.restartAll();
    for (const [id, pid] of before) await cluster.waitForRestart(id, pid, 30_000);
    await Promise.all(hit.map((s) => waitForPort(s.host, listeningPort(s), 30_000)));
  }

  it.each(Object.keys(KEPT[store]) as Fault[])('%s of the room\u2019s chat server', async (fault) => {
    const kept = KEPT[store][fault];
    const rid = `keep-${fault.replace(/\W/g, '')}-${store}`;
    // bob stays: the room is held (not only its log) when the fault comes.
    const bob = await ChatClient.enter(cluster.gate, 'bob', rid);
    const ann = await ChatClient.enter(cluster.gate, 'ann', rid);
    for (const n of [1, 2, 3]) expect(await sendOk(ann, `m${n}`)).toBe(n);
    // Read markers live with the log: kept where it is kept.
    expect(await ann.ask(Route.read, { rid, seq: 2 })).toEqual({ code: 200, readSeq: 2 });
    const { epoch } = ann.entered;
    ann.close();
    for (const n of [4, 5]) expect(await sendOk(bob, `m${n}`)).toBe(n);
    await bob.waitFor('onChat', (m) => m.seq === 5);

    await carryOut(fault, rid);

    const back = await ChatClient.enterWhenBack(cluster.gate, 'ann', rid, { lastSeq: 3, epoch });
    const reply: EnterResult = back.entered;
    if (kept) {
      expect(reply).toMatchObject({ epoch, recovered: true, lastSeq: 5, readSeq: 2, unread: 2 });
      expect(seqsOf(reply.history)).toEqual([4, 5]);
      expect(await sendOk(back, 'm6')).toBe(6);
    } else {
      expect(reply.epoch).not.toBe(epoch);
      expect(reply.recovered).toBe(false);
      expect(reply).toMatchObject({ readSeq: 0, unread: 0 });
      expect(await sendOk(back, 'm1 of a new log')).toBe(1);
    }
    if (fault === 'graceful restart' || fault === 'kill -9') {
      // bob's connection never went: what reached it off the wire, in order, once each.
      const expected = kept ? [1, 2, 3, 4, 5, 6] : [1, 2, 3, 4, 5];
      await waitUntil(() => bob.received('onChat').length >= expected.length, 10_000, 'bob got every message');
      const seen = bob.received('onChat').filter((m: PushPayload<'onChat'>) => m.msg.startsWith('m') && !m.msg.includes('new log'));
      expect(seqsOf(seen)).toEqual(expected);
    }
    back.close();
    bob.close();
  });

  if (store === 'redis') {
    it('tells the members (a new epoch) and pushes what comes next when Redis lost messages it had confirmed', async () => {
      // A failover to a replica that lagged takes the log back to where that replica stood.
      const rid = 'redis-went-back';
      const bob = await ChatClient.enter(cluster.gate, 'bob', rid);
      const ann = await ChatClient.enter(cluster.gate, 'ann', rid);
      expect(await sendOk(ann, 'kept')).toBe(1);
      const snapshot = await RedisSnapshot.take(cluster.redis!.port);
      try {
        for (const n of [2, 3]) expect(await sendOk(ann, `lost ${n}`)).toBe(n);
        await bob.waitFor('onChat', (m) => m.seq === 3);
        await snapshot.restoreTo(cluster.redis!.port);
        const reply = await ann.send('after');
        expect(reply).toMatchObject({ code: 200, seq: 4 });
        const { epoch } = await bob.waitFor('onSeq', (e) => e.rid === rid, 10_000);
        expect(epoch).not.toBe(bob.entered.epoch);
        expect(await bob.waitFor('onChat', (m) => m.msg === 'after', 10_000)).toMatchObject({ seq: 4 });
        const history = await ann.ask(Route.history, { rid, afterSeq: 3, epoch: bob.entered.epoch });
        expect(history).toMatchObject({ code: 200, epoch, recovered: false });
      } finally {
        await snapshot.stop();
        ann.close();
        bob.close();
      }
    });
  }

  if (store === 'memory') {
    it('refuses a rooms file that is not whole with one line in the log, and starts the rooms on new logs', async () => {
      const rid = 'cut-short-file';
      const chat = dispatch(rid, chats);
      const ann = await ChatClient.enter(cluster.gate, 'ann', rid);
      await sendOk(ann, 'before');
      const { epoch } = ann.entered;
      await cluster.pm2('stop', chat.id);
      const file = path.join(cluster.env.DATA_DIR!, `${chat.id}.rooms.ndjson`);
      expect(existsSync(file)).toBe(true);
      writeFileSync(file, '{"format":"chatofpomelo-rooms","version":1,"serverId":"' + chat.id + '","savedAt":1,"rooms":3}\n{"rid":');
      await cluster.pm2('start', chat.id);
      await waitForPort(chat.host, chat.port!, 30_000);
      await waitUntil(
        async () => (await cluster.recentLogs(200)).includes('rooms file not used'),
        10_000,
        'the chat server said why it did not use the file',
        () => cluster.recentLogs(20),
      );
      expect(existsSync(file)).toBe(false);
      expect(await historyEpoch(ann)).not.toBe(epoch);
      ann.close();
    });
  }
});

/** Asks the room's history until it answers 200; its epoch tells which log the room has now. */
async function historyEpoch(client: ChatClient): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const reply = await request<{ epoch: string }>(client.socket, Route.history, { rid: client.rid });
    if (reply.code === 200) return reply.epoch;
    if (Date.now() > deadline) throw new Error(`history: ${JSON.stringify(reply)}`);
    await sleep(100);
  }
}
