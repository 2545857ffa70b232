import type { ServerInfo } from '../../game-server/config/server-info';
import { dispatch } from '../../app/util/dispatcher';
import { closeAllSockets, sleep } from '../helpers/chat-client';
import { waitForPort, waitForPortClosed } from '../helpers/free-port';
import { Pm2Cluster } from '../helpers/pm2-cluster';
import { enterRooms, missingDeliveries, ResilientClient, startTraffic } from '../helpers/resilient-client';

const RPC_TIMEOUT_MS = 1000;
const NAMES = ['ann', 'bob', 'cat'];

describe('recovery from kill -9 under traffic (pm2 restarts the process)', () => {
  let cluster: Pm2Cluster;
  const clients: ResilientClient[] = [];
  const rids = Array.from({ length: 10 }, (_, i) => `crash-room-${i}`);

  beforeAll(async () => {
    cluster = await Pm2Cluster.start({ connectors: 3, chats: 3, env: { RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS), HISTORY_SIZE: '1000' } });
    clients.push(...(await enterRooms(cluster.gate, rids, NAMES)));
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    closeAllSockets();
    await cluster?.stop();
  });

  /** Broadcasts from the room's first member until every member gets one; resolves with the time. */
  async function roomWorks(rid: string, deadline: number): Promise<number> {
    const members = clients.filter((c) => c.rid === rid);
    for (let k = 0; Date.now() < deadline; k++) {
      const text = `probe ${rid} ${k}`;
      if ((await members[0]!.send(text)) === 200) {
        const until = Date.now() + 1000;
        while (Date.now() < until && !members.every((m) => m.seen.has(text))) await sleep(10);
        if (members.every((m) => m.seen.has(text))) return Date.now();
      }
      await sleep(50);
    }
    throw new Error(`room ${rid} did not recover`);
  }

  it('a chat server: its rooms answer 503 (never hang) while it is down, other rooms are untouched, members are back within 2 s', async () => {
    const chats = cluster.servers.filter((s) => s.serverType === 'chat');
    const victim: ServerInfo = chats[1]!;
    const affected = new Set(rids.filter((rid) => dispatch(rid, chats).id === victim.id));
    expect(affected.size).toBeGreaterThan(0);

    const traffic = startTraffic(clients, 100);
    await sleep(500);
    await cluster.kill9(victim.id);
    const killedAt = Date.now();
    await waitForPortClosed(victim.host, victim.port!, 5000);
    await waitForPort(victim.host, victim.port!, 10_000);
    const restartedAt = Date.now();
    const recovered = await Promise.all([...affected].map((rid) => roomWorks(rid, restartedAt + 5000)));
    await sleep(300);
    const records = await traffic.stop();

    const failedElsewhere = records.filter((r) => !affected.has(r.rid) && r.code !== 200);
    const failedHere = records.filter((r) => affected.has(r.rid) && r.code !== 200);
    const firstRefusal = failedHere.filter((r) => r.at >= killedAt).sort((a, b) => a.at - b.at)[0];
    const recoveryMs = Math.max(...recovered) - restartedAt;
    process.stdout.write(
      `chat server kill -9: pm2 had it back in ${restartedAt - killedAt} ms; ${affected.size} rooms on it; ` +
        `${failedHere.length} sends refused there (codes ${[...new Set(failedHere.map((r) => r.code))].join(',') || 'none'}, ` +
        `slowest answer ${Math.max(0, ...failedHere.map((r) => r.ms))} ms${firstRefusal ? `, first ${firstRefusal.at - killedAt} ms after the kill` : ''}); ` +
        `${failedElsewhere.length} refused in other rooms; every member reachable again ${recoveryMs} ms after the restart\n`,
    );

    expect(failedElsewhere).toEqual([]);
    for (const r of failedHere) {
      expect(r.code).toBe(503);
      expect(r.ms).toBeLessThan(RPC_TIMEOUT_MS + 1000);
    }
    expect(recoveryMs).toBeLessThan(2000);
    await Promise.all(clients.map((c) => c.settled()));
    expect(missingDeliveries(clients)).toEqual([]);
  });

  it('a connector: its users re-enter through the gate at once (the next live connector) and miss nothing', async () => {
    const connectors = cluster.servers.filter((s) => s.serverType === 'connector');
    const victim = connectors.find((c) => clients.some((client) => client.port === c.clientPort))!;
    const onVictim = clients.filter((c) => c.port === victim.clientPort);
    const reentriesBefore = new Map(onVictim.map((c) => [c, c.reentries]));

    const traffic = startTraffic(clients, 100);
    await sleep(500);
    await cluster.kill9(victim.id);
    const killedAt = Date.now();
    while (onVictim.some((c) => c.reentries === reentriesBefore.get(c) || c.port === victim.clientPort) && Date.now() - killedAt < 10_000) {
      await sleep(10);
    }
    await Promise.all(onVictim.map((c) => c.settled()));
    const reenteredMs = Date.now() - killedAt;
    await sleep(800);
    const records = await traffic.stop();
    await Promise.all(clients.map((c) => c.settled()));
    await sleep(300);

    process.stdout.write(
      `connector kill -9: ${onVictim.length} users on it re-entered through the gate within ${reenteredMs} ms; ` +
        `${records.filter((r) => r.code === 200).length} messages answered 200 during the run\n`,
    );
    for (const client of onVictim) expect(client.port).not.toBe(victim.clientPort);
    expect(reenteredMs).toBeLessThan(3000);
    expect(missingDeliveries(clients)).toEqual([]);
  });
});
