import type { ClusterReport } from '../../app/cli/cluster-status';
import type { ServerInfo } from '../../game-server/config/server-info';
import { dispatch } from '../../game-server/router/dispatch';
import { ChatClient, closeAllSockets, queryEntry } from '../helpers/chat-client';
import { freePorts } from '../helpers/free-port';
import { Pm2Cluster } from '../helpers/pm2-cluster';
import { parseReport, runProcess, STATUS_ENTRY } from '../helpers/status-cli';
import { tutorialServersText } from '../helpers/tutorial-servers';

/** A key that `dispatch` sends to the server `id` of `servers` (a name to a connector, a room to a chat server). */
function keyFor(id: string, servers: readonly ServerInfo[], prefix: string): string {
  for (let i = 0; ; i++) if (dispatch(`${prefix}${i}`, servers).id === id) return `${prefix}${i}`;
}

describe("the Pomelo tutorial's config/servers.json as printed there (its gate has no port), under pm2", () => {
  let cluster: Pm2Cluster;
  let text: string;

  beforeAll(async () => {
    text = await tutorialServersText();
    cluster = await Pm2Cluster.start({ serversText: text });
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  async function status(...args: string[]): Promise<ClusterReport> {
    return parseReport(await runProcess(process.execPath, [STATUS_ENTRY, '--json', ...args], cluster.env));
  }

  it('runs every server of it under pm2, the gate without an internal port', async () => {
    expect(cluster.servers.find((s) => s.id === 'gate-server-1')).not.toHaveProperty('port');
    const apps = await cluster.list();
    expect(apps.map((a) => a.name).sort()).toEqual([...cluster.servers.map((s) => s.id), 'web'].sort());
    for (const app of apps) expect(app).toMatchObject({ status: 'online', restarts: 0 });
  });

  it('lets two users meet in a room and chat', async () => {
    const alice = await ChatClient.enter(cluster.gate, 'alice', 'tutorial-room');
    const bob = await ChatClient.enter(cluster.gate, 'bob', 'tutorial-room');
    expect(bob.entered.users).toEqual(['alice', 'bob']);
    await alice.waitFor('onAdd', (e) => e.user === 'bob');
    expect(await bob.send('hi alice')).toMatchObject({ code: 200 });
    await alice.waitFor('onChat', (m) => m.msg === 'hi alice' && m.from === 'bob');
    alice.close();
    bob.close();
  });

  it('npm run status reports the gate through a server it has a link to: up, with its own pid', async () => {
    const report = await status();
    expect(report.summary).toEqual({ servers: 7, up: 7, down: 0, error: 0 });
    const pid = (await cluster.list()).find((a) => a.name === 'gate-server-1')!.pid;
    const gate = report.servers.find((s) => s.id === 'gate-server-1');
    expect(gate).toMatchObject({ state: 'up', pid, via: expect.stringMatching(/^(chat|connector)-server-/) });
    expect(gate).not.toHaveProperty('port');
  });

  it('scales out by a connector and a chat server: nothing restarts, the gate sends users to the new connector, rooms live on the new chat server', async () => {
    const before = await cluster.list();
    const [rpc1, client1, rpc2] = await freePorts(3);
    const raw = JSON.parse(text) as { development: Record<string, object[]> };
    raw.development.connector!.push({ id: 'connector-server-4', host: '127.0.0.1', port: rpc1, clientPort: client1, frontend: true });
    raw.development.chat!.push({ id: 'chat-server-4', host: '127.0.0.1', port: rpc2 });
    cluster.writeServersText(JSON.stringify(raw, null, 2));

    const output = await cluster.scale();
    expect(output).toContain('started: connector-server-4, chat-server-4');
    expect(output).not.toContain('warning');
    expect(output).toMatch(/^switched to the new list: .*\bgate-server-1\b/m);
    const after = await cluster.list();
    for (const was of before) expect(after.find((a) => a.name === was.name)).toMatchObject({ pid: was.pid, status: 'online', restarts: 0 });

    const connectors = cluster.servers.filter((s) => s.serverType === 'connector');
    const chats = cluster.servers.filter((s) => s.serverType === 'chat');
    const carol = keyFor('connector-server-4', connectors, 'carol');
    const dave = keyFor('connector-server-1', connectors, 'dave');
    const rid = keyFor('chat-server-4', chats, 'new-room-');
    expect(await queryEntry(cluster.gate, carol)).toMatchObject({
      code: 200,
      port: connectors.find((s) => s.id === 'connector-server-4')!.clientPort,
    });

    const first = await ChatClient.enter(cluster.gate, carol, rid);
    const second = await ChatClient.enter(cluster.gate, dave, rid);
    await first.waitFor('onAdd', (e) => e.user === dave);
    expect(await first.send('on the new servers')).toMatchObject({ code: 200 });
    await second.waitFor('onChat', (m) => m.msg === 'on the new servers' && m.from === carol);

    const report = await status('--rooms');
    expect(report.summary).toEqual({ servers: 9, up: 9, down: 0, error: 0 });
    expect(report.rooms).toContainEqual({ rid, server: 'chat-server-4', members: 2 });
  });
});
