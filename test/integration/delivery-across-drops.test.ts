import { Route, type EnterRequest, type SendRequest, type SendResult } from '../../app/protocol';
import type { ServerInfo } from '../../game-server/config/server-info';
import { ChatClient, closeAllSockets, request } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';
import { ResilientClient } from '../helpers/resilient-client';
import { userOn } from '../helpers/rooms';
import { waitUntil } from '../helpers/wait';

// The internal links' heartbeat short (a frozen connector's link is down within 3 + 3 s), the clients' far longer:
// the users on the frozen connector stay connected through the freeze, as over a partition between servers.
const RPC_PING_MS = '3000';
const CLIENT_PING_MS = '150000';
/** Long enough for the chat server to see a frozen connector's link time out (6 s), on a busy machine. */
const LINK_DOWN_TIMEOUT_MS = 30_000;

describe('delivery when a link or a connection drops: onSeq, and sends repeated after re-entry (real processes)', () => {
  let cluster: TestCluster;
  const frozen = new Set<number>();
  const resilient: ResilientClient[] = [];

  beforeAll(async () => {
    cluster = await TestCluster.start({
      connectors: 2,
      chats: 1,
      env: {
        RPC_PING_INTERVAL_MS: RPC_PING_MS,
        RPC_PING_TIMEOUT_MS: RPC_PING_MS,
        CLIENT_PING_INTERVAL_MS: CLIENT_PING_MS,
        CLIENT_PING_TIMEOUT_MS: CLIENT_PING_MS,
      },
    });
  });

  afterAll(async () => {
    for (const pid of frozen) process.kill(pid, 'SIGCONT');
    for (const client of resilient) client.close();
    closeAllSockets();
    await cluster?.stop();
  });

  const connectors = (): [ServerInfo, ServerInfo] => {
    const [first, second] = cluster.byType('connector');
    return [first!, second!];
  };

  it(
    'a message whose push to a connector was lost while their link was down is fetched by its members after onSeq',
    async () => {
      const [c1, c2] = connectors();
      const chat = cluster.byType('chat')[0]!;
      const rid = 'link-room';
      const alice = await ChatClient.enter(cluster.gate, userOn(c1, [c1, c2], 'alice'), rid);
      // bob follows the log as the browser client does (RoomLogFollower); carol, beside him, records the raw pushes.
      const bob = new ResilientClient(cluster.gate, userOn(c2, [c1, c2], 'bob'), rid);
      resilient.push(bob);
      await bob.enter();
      const carol = await ChatClient.enter(cluster.gate, userOn(c2, [c1, c2], 'carol'), rid);
      expect(await alice.send('before the freeze')).toMatchObject({ code: 200, seq: 1 });
      await carol.waitFor('onChat', (m) => m.seq === 1);

      const linkDownToC2 = new RegExp(`link down.*"peer":"${c2.id}"`);
      expect(cluster.recentLogs([chat.id])).not.toMatch(linkDownToC2);
      const pid = cluster.pid(c2.id)!;
      process.kill(pid, 'SIGSTOP');
      frozen.add(pid);
      let sent: Awaited<ReturnType<ChatClient['send']>>;
      try {
        // The connector takes no packets; only the heartbeat of the chat server's link to it can tell.
        await waitUntil(
          () => linkDownToC2.test(cluster.recentLogs([chat.id])),
          LINK_DOWN_TIMEOUT_MS,
          `${chat.id} taking its link to the frozen ${c2.id} for down`,
          () => cluster.recentLogs([chat.id]),
          100,
        );
        // Appended and answered; its push to c2 is dropped (the link is down): the last message of the room, lost there.
        sent = await alice.send('while the link was down');
      } finally {
        process.kill(pid, 'SIGCONT');
        frozen.delete(pid);
      }
      expect(sent).toMatchObject({ code: 200, seq: 2 });

      // The link comes back: the chat server tells c2's members where the log stands, and bob fetches what he missed.
      expect(await carol.waitFor('onSeq', (e) => e.seq >= 2, 20_000)).toMatchObject({ seq: 2, epoch: carol.entered.epoch });
      await waitUntil(
        () => bob.seen.has('while the link was down'),
        10_000,
        'bob fetching the lost message after onSeq',
        () => `he has ${JSON.stringify([...bob.seen.keys()])}`,
      );
      // It came from history: no push of it ever reached c2.
      expect(carol.received('onChat').map((m) => m.msg)).toEqual(['before the freeze']);
      expect(bob.seen.get('while the link was down')).toMatchObject({ seq: 2, from: alice.username });
      expect(bob.violations).toEqual([]);
    },
    LINK_DOWN_TIMEOUT_MS + 45_000,
  );

  it.each([
    ['its connection drops', 'disconnect'],
    ['its connector is killed', 'kill'],
  ] as const)(
    'a send repeated with the same clientMsgId after re-entering (%s) is in the history once and delivered once',
    async (_what, how) => {
      const [c1, c2] = connectors();
      const rid = `resend-after-${how}`;
      const bob = await ChatClient.enter(cluster.gate, userOn(c2, [c1, c2], `bob-${how}-`), rid);
      const alice = await ChatClient.enter(cluster.gate, userOn(c1, [c1, c2], `alice-${how}-`), rid);
      const send: SendRequest = { content: 'said once', target: '*', clientMsgId: `${alice.username}-1` };

      // Sent, appended and pushed; then alice's connection goes before she takes in the answer.
      void request<SendResult>(alice.socket, Route.send, send).catch(() => undefined);
      const first = await bob.waitFor('onChat', (m) => m.msg === 'said once');
      if (how === 'disconnect') alice.close();
      else await cluster.stopServer(c1.id, 'SIGKILL');

      try {
        // She comes back through the gate (on the other connector when hers is dead) and sends the same message again.
        const position: Partial<EnterRequest> = { lastSeq: alice.entered.lastSeq, epoch: alice.entered.epoch };
        let again: ChatClient | undefined;
        let refused = '';
        await waitUntil(
          async () => {
            again = await ChatClient.enter(cluster.gate, alice.username, rid, position).catch((err: Error) => {
              refused = err.message;
              return undefined;
            });
            return again !== undefined;
          },
          15_000,
          `${alice.username} back in ${rid}`,
          () => refused,
          100,
        );
        const back = again!;
        if (how === 'kill') expect(back.connectorPort).toBe(c2.clientPort);
        expect(back.entered.history.map((m) => m.msg)).toEqual(['said once']);
        expect(await request<SendResult>(back.socket, Route.send, send)).toEqual({ code: 200, id: first.id, seq: first.seq });

        // Pushes leave in seq order: a second copy of the repeat would reach bob before this one.
        expect(await back.send('said after')).toMatchObject({ code: 200, seq: first.seq + 1 });
        await bob.waitFor('onChat', (m) => m.msg === 'said after');
        expect(bob.received('onChat').map((m) => [m.seq, m.msg])).toEqual([
          [first.seq, 'said once'],
          [first.seq + 1, 'said after'],
        ]);
        await back.waitFor('onChat', (m) => m.msg === 'said after');
        expect(back.received('onChat').map((m) => m.msg)).toEqual(['said after']);
        const newcomer = await ChatClient.enter(cluster.gate, `newcomer-${how}`, rid);
        expect(newcomer.entered.history.map((m) => m.msg)).toEqual(['said once', 'said after']);
      } finally {
        if (!cluster.isRunning(c1.id)) {
          await cluster.startServer(c1.id);
          await cluster.waitUntilLinked();
        }
      }
    },
  );
});
