import type { ServerInfo } from '../../game-server/config/server-info';
import { dispatch } from '../../game-server/router/dispatch';
import { ChatClient, closeAllSockets } from '../helpers/chat-client';
import { freePorts } from '../helpers/free-port';
import { Pm2Cluster, type Pm2Process } from '../helpers/pm2-cluster';
import { answered, enterRooms, orderViolations, ResilientClient, startTraffic, waitForDeliveries } from '../helpers/resilient-client';

const ROOMS = 12;
const NAMES = ['amy', 'bo', 'cy'];

describe.each(['memory', 'redis'] as const)(
  'scaling the cluster live by editing servers.json and running npm run scale (%s room log)',
  (store) => {
    let cluster: Pm2Cluster;
    let original: ServerInfo[];
    const clients: ResilientClient[] = [];
    const rids = Array.from({ length: ROOMS }, (_, i) => `scale-room-${i}`);

    beforeAll(async () => {
      cluster = await Pm2Cluster.startOn(store, {
        connectors: 3,
        chats: 3,
        env: { RPC_TIMEOUT_MS: '2000', HISTORY_SIZE: '1000' },
      });
      original = [...cluster.servers];
      clients.push(...(await enterRooms(cluster.gate, rids, NAMES)));
    });

    afterAll(async () => {
      for (const client of clients) client.close();
      closeAllSockets();
      await cluster?.stop();
    });

    /**
     * A newcomer in each room sees every member and the history from before the move: the room, its
     * members and its messages are where routing says.
     */
    async function expectEveryRoomWhole(tag: string): Promise<void> {
      for (const rid of rids) {
        const observer = await ChatClient.enter(cluster.gate, `observer-${tag}`, rid);
        const members = clients.filter((c) => c.rid === rid).map((c) => c.username);
        expect({ rid, users: [...observer.entered.users].sort() }).toEqual({ rid, users: [...members, `observer-${tag}`].sort() });
        expect(observer.entered.history.map((m) => m.msg)).toContain(`marker ${tag} ${rid}`);
        observer.close();
      }
    }

    /** One message per room before the move, to find in the history after it. */
    async function sendMarkers(tag: string): Promise<void> {
      for (const rid of rids) {
        const sender = clients.find((c) => c.rid === rid)!;
        expect(await sender.send(`marker ${tag} ${rid}`)).toBe(200);
      }
    }

    interface ScaleResult {
      output: string;
      seconds: number;
      accepted: number;
      refused: number;
      missing: string[];
    }

    async function scaleUnderTraffic(servers: ServerInfo[]): Promise<ScaleResult> {
      const traffic = startTraffic(clients, 150);
      await answered(clients, 50);
      const pushesBefore = clients.reduce((n, c) => n + c.pushes, 0);
      cluster.writeServers(servers);
      const started = Date.now();
      const output = await cluster.scale();
      const seconds = (Date.now() - started) / 1000;
      await answered(clients, 50);
      const records = await traffic.stop();
      // The order is checked on the pushes as they came off the wire: there were some, during the move too.
      expect(clients.reduce((n, c) => n + c.pushes, 0)).toBeGreaterThan(pushesBefore + 100);
      const accepted = records.filter((r) => r.code === 200).length;
      const refused = records.length - accepted;
      const missing = await waitForDeliveries(clients, 10_000);
      return { output, seconds, accepted, refused, missing };
    }

    function expectUntouched(before: Pm2Process[], after: Pm2Process[], ids: string[]): void {
      for (const id of ids) {
        const was = before.find((p) => p.name === id)!;
        expect(after.find((p) => p.name === id)).toMatchObject({ pid: was.pid, status: 'online', restarts: 0 });
      }
    }

    it('grows from 3 to 4 chat servers and 3 to 4 connectors: nothing restarts, rooms move whole, no message is lost', async () => {
      const before = await cluster.list();
      const [rpc1, client1, rpc2] = await freePorts(3);
      const grown: ServerInfo[] = [
        ...original,
        { id: 'connector-server-4', serverType: 'connector', host: '127.0.0.1', port: rpc1!, clientPort: client1!, frontend: true },
        { id: 'chat-server-4', serverType: 'chat', host: '127.0.0.1', port: rpc2! },
      ];
      const chats3 = original.filter((s) => s.serverType === 'chat');
      const chats4 = grown.filter((s) => s.serverType === 'chat');
      const moved = rids.filter((rid) => dispatch(rid, chats3).id !== dispatch(rid, chats4).id);
      expect(moved.length).toBeGreaterThan(0);

      const failures = clients.flatMap((c) => c.failures);
      expect({ failedEnters: failures.slice(0, 3) }).toEqual({ failedEnters: [] });
      await sendMarkers('grown');
      const result = await scaleUnderTraffic(grown);
      process.stdout.write(
        `[${store}] scale 3 -> 4: ${result.seconds.toFixed(2)} s for npm run scale; ${moved.length}/${ROOMS} rooms moved; ` +
          `${result.accepted} messages answered 200, ${result.refused} refused during the run\n${result.output}`,
      );

      expect(result.missing).toEqual([]);
      expect(orderViolations(clients)).toEqual([]);
      expect(clients.filter((c) => c.lostNotices > 0).map((c) => `${c.username}@${c.rid}`)).toEqual([]);
      expect(result.accepted).toBeGreaterThan(100);
      const after = await cluster.list();
      expectUntouched(
        before,
        after,
        original.map((s) => s.id),
      );
      for (const id of ['connector-server-4', 'chat-server-4'])
        expect(after.find((p) => p.name === id)).toMatchObject({ status: 'online' });
      await expectEveryRoomWhole('grown');

      // Newcomers spread over the four connectors, so that shrinking back has users to move.
      for (const [i, rid] of rids.entries()) {
        const client = new ResilientClient(cluster.gate, `dee${i}`, rid);
        await client.enter();
        clients.push(client);
      }
    });

    it('shrinks back to 3 and 3: the rooms and users of the removed servers move on, no message is lost', async () => {
      const before = await cluster.list();
      await sendMarkers('shrunk');
      const result = await scaleUnderTraffic(original);
      const reentries = clients.reduce((n, c) => n + c.reentries, 0);
      process.stdout.write(
        `[${store}] scale 4 -> 3: ${result.seconds.toFixed(2)} s for npm run scale; ${reentries} clients re-entered through the gate; ` +
          `${result.accepted} messages answered 200, ${result.refused} refused during the run\n${result.output}`,
      );

      expect(result.missing).toEqual([]);
      expect(orderViolations(clients)).toEqual([]);
      expect(clients.filter((c) => c.lostNotices > 0).map((c) => `${c.username}@${c.rid}`)).toEqual([]);
      expect(reentries).toBeGreaterThan(0);
      const after = await cluster.list();
      expectUntouched(
        before,
        after,
        original.map((s) => s.id),
      );
      expect(after.map((p) => p.name)).not.toContain('chat-server-4');
      expect(after.map((p) => p.name)).not.toContain('connector-server-4');
      await expectEveryRoomWhole('shrunk');
    });
  },
);
