import { dispatch } from '../../game-server/router/dispatch';
import type { ServerInfo } from '../../game-server/config/server-info';
import { ChatClient, closeAllSockets } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';
import { ResilientClient } from '../helpers/resilient-client';
import { waitUntil } from '../helpers/wait';
import { sleep } from '../../game-server/sleep';

/** A user name the gate sends to `connector`. */
function nameFor(connector: ServerInfo, connectors: ServerInfo[], prefix: string): string {
  for (let i = 0; ; i++) if (dispatch(`${prefix}${i}`, connectors) === connector) return `${prefix}${i}`;
}

describe('a connector stopped cleanly (SIGTERM, as pm2 restart does) and started again', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ connectors: 2, chats: 2 });
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  it('gets pushes again once its users re-enter, and they stay in their room past the 5 s "connector gone" limit', async () => {
    const connectors = cluster.byType('connector');
    const [restarted, steady] = connectors as [ServerInfo, ServerInfo];
    const gina = new ResilientClient(cluster.gate, nameFor(restarted, connectors, 'gina'), 'restart-room');
    await gina.enter();
    const hank = await ChatClient.enter(cluster.gate, nameFor(steady, connectors, 'hank'), 'restart-room');

    // The chat servers' links to it are closed from its side ("io server disconnect"), not dropped. The gate
    // is down meanwhile so that gina can only come back through the restarted connector.
    await cluster.stopServer('gate-server-1');
    expect(await cluster.stopServer(restarted.id, 'SIGTERM')).toBe(0);
    await cluster.startServer(restarted.id);
    await cluster.startServer('gate-server-1');
    await waitUntil(() => gina.reentries > 0, 5000, 'gina did not notice the restart');
    await gina.settled();
    expect(gina.port).toBe(restarted.clientPort);

    expect(await hank.send('after the restart')).toMatchObject({ code: 200 });
    await waitUntil(() => gina.seen.has('after the restart'), 5000, 'gina got no push through the restarted connector');

    // Past CONNECTOR_GONE_MS (5 s) after the link went down: gina is still a member and still gets pushes. (Whether
    // hank saw her leave during the restart depends on whether the connector's goodbye got out first; not after.)
    const leavesBefore = hank.received('onLeave').length;
    await sleep(5500);
    expect(await hank.send('still here?')).toMatchObject({ code: 200 });
    await waitUntil(() => gina.seen.has('still here?'), 5000, 'gina was dropped from her room after the restart');
    expect(hank.received('onLeave').slice(leavesBefore)).toEqual([]);
    gina.close();
  });
});
