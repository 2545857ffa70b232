import { ChatClient, closeAllSockets } from '../helpers/chat-client';
import { Pm2Cluster } from '../helpers/pm2-cluster';

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
