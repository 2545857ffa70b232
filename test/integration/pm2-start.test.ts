import { utimesSync } from 'node:fs';
import path from 'node:path';
import { ChatClient, closeAllSockets } from '../helpers/chat-client';
import { PROJECT_ROOT } from '../helpers/cluster';
import { Pm2Cluster, type Pm2Process } from '../helpers/pm2-cluster';
import { waitUntil } from '../helpers/wait';

describe('the cluster started as the README says (pm2 start ecosystem.config.js)', () => {
  let cluster: Pm2Cluster;

  beforeAll(async () => {
    cluster = await Pm2Cluster.start({ connectors: 3, chats: 3 });
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  it('runs one pm2 app per server, named by its server id, and the web server, all online', async () => {
    const apps = await cluster.list();
    expect(apps.map((a) => a.name).sort()).toEqual([...cluster.servers.map((s) => s.id), 'web'].sort());
    for (const app of apps) expect(app).toMatchObject({ status: 'online', restarts: 0 });
  });

  it('serves the browser client and the gate address from the web server (pm2 app `web`)', async () => {
    const page = await fetch(cluster.webUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="login-form"');
    expect(await (await fetch(new URL('config.json', cluster.webUrl))).json()).toEqual({ gate: cluster.gate });
  });

  it('lets two users meet in a room and chat', async () => {
    const alice = await ChatClient.enter(cluster.gate, 'alice', 'pm2-room');
    const bob = await ChatClient.enter(cluster.gate, 'bob', 'pm2-room');
    expect(bob.entered.users).toEqual(['alice', 'bob']);
    await alice.waitFor('onAdd', (e) => e.user === 'bob');
    expect(await bob.send('hi alice')).toMatchObject({ code: 200 });
    await alice.waitFor('onChat', (m) => m.msg === 'hi alice' && m.from === 'bob');
  });
});

describe('npm run dev: the same apps from the TypeScript sources (CLUSTER_DEV=1), restarted on change', () => {
  let cluster: Pm2Cluster;

  beforeAll(async () => {
    cluster = await Pm2Cluster.start({ connectors: 1, chats: 1, env: { CLUSTER_DEV: '1' } });
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  it('runs app/main.ts and web-server/main.ts under pm2 watch, no build output involved', async () => {
    const apps = await cluster.list();
    expect(apps.map((a) => a.name).sort()).toEqual([...cluster.servers.map((s) => s.id), 'web'].sort());
    for (const app of apps.filter((a) => a.name !== 'web')) {
      expect(app).toMatchObject({ status: 'online', script: path.join(PROJECT_ROOT, 'app/main.ts'), watch: true });
    }
    expect(apps.find((a) => a.name === 'web')).toMatchObject({
      status: 'online',
      script: path.join(PROJECT_ROOT, 'web-server/main.ts'),
      watch: true,
    });
  });

  it('serves a chat', async () => {
    const alice = await ChatClient.enter(cluster.gate, 'alice', 'dev-room');
    const bob = await ChatClient.enter(cluster.gate, 'bob', 'dev-room');
    await alice.waitFor('onAdd', (e) => e.user === 'bob');
    expect(await bob.send('from source')).toMatchObject({ code: 200 });
    await alice.waitFor('onChat', (m) => m.msg === 'from source' && m.from === 'bob');
  });

  it('restarts the servers when a source file changes', async () => {
    // app/main.ts is not the web server's: it stays as it is (it watches web-server/, game-server/, config/).
    const servers = async (): Promise<Pm2Process[]> => (await cluster.list()).filter((a) => a.name !== 'web');
    const before = await servers();
    // A new modification time is a change to pm2's watcher; the file's content stays as it is.
    const now = new Date();
    utimesSync(path.join(PROJECT_ROOT, 'app/main.ts'), now, now);
    let after = before;
    await waitUntil(
      async () => (after = await servers()).every((a) => a.restarts > 0 && a.status === 'online'),
      20_000,
      'pm2 did not restart every server',
      () => JSON.stringify(after.map(({ name, status, restarts }) => ({ name, status, restarts }))),
      200,
    );
    for (const app of after) expect(app).toMatchObject({ status: 'online', restarts: 1 });
    expect(after.map((a) => a.pid)).not.toEqual(before.map((a) => a.pid));
  });
});
