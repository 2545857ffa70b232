import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { SYSTEM_REMOTE } from '../../game-server/admin/admin-messages';
import type { ServerInfo } from '../../game-server/config/server-info';
import { dispatch } from '../../game-server/router/dispatch';
import type { RpcReply } from '../../game-server/rpc/rpc-messages';
import { DEFAULT_RPC_SECRET } from '../../game-server/settings';
import { ChatClient, closeAllSockets } from '../helpers/chat-client';
import { SERVER_ENTRY, TestCluster } from '../helpers/cluster';
import { parsePrometheusText } from '../helpers/prometheus-text';
import { makeCerts, type RpcTlsEnv } from '../helpers/rpc-certs';
import { parseReport, runProcess, runStatus } from '../helpers/status-cli';
import { waitUntil } from '../helpers/wait';

const HOST = '127.0.0.1';

/** A user name the gate sends to `connector`. */
function nameFor(connector: ServerInfo, connectors: ServerInfo[], prefix: string): string {
  for (let i = 0; ; i++) if (dispatch(`${prefix}${i}`, connectors) === connector) return `${prefix}${i}`;
}

interface Attempt {
  connected: boolean;
  /** What connect_error said, with the TLS error under it. */
  error?: string;
  /** Whether a call emitted at once (held until the link is up) was answered. */
  answered: boolean;
}

/**
 * Opens a link to a server's internal port as a peer would (right RPC_SECRET, the cluster's CA to check the
 * server with), presenting `identity` (or no certificate), and emits a `__system.status` call at once.
 */
function tryLink(server: ServerInfo, ca: string, identity: { cert: string; key: string } | undefined): Promise<Attempt> {
  const socket: Socket = io(`https://${server.host}:${server.port}`, {
    transports: ['websocket'],
    auth: { secret: DEFAULT_RPC_SECRET, serverId: 'tls-test' },
    reconnection: false,
    forceNew: true,
    timeout: 5000,
    ca,
    ...identity,
    rejectUnauthorized: true,
  });
  let answered = false;
  socket.emit('call', { service: SYSTEM_REMOTE, method: 'status', args: [{}] }, (reply: RpcReply) => (answered = reply.ok));
  return new Promise((resolve) => {
    const finish = (connected: boolean, error?: string): void => {
      // A link that came up gets the time to answer the call it holds; a refused one had none to give.
      setTimeout(() => {
        socket.disconnect();
        resolve({ connected, answered, ...(error !== undefined && { error }) });
      }, 300);
    };
    socket.once('connect', () => finish(true));
    socket.once('connect_error', (err: Error & { description?: { message?: string } }) =>
      finish(false, `${err.message}: ${err.description?.message ?? ''}`),
    );
  });
}

describe('mutual TLS on the internal links (RPC_TLS_CERT, RPC_TLS_KEY, RPC_TLS_CA)', () => {
  let dir: string;
  let tls: RpcTlsEnv;
  let stranger: RpcTlsEnv;
  let cluster: TestCluster;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rpc-tls-'));
    tls = (await makeCerts(path.join(dir, 'cluster'), [HOST])).get(HOST)!;
    // Made the same way, by a CA of its own: a certificate for the right host that our CA never signed.
    stranger = (await makeCerts(path.join(dir, 'stranger'), [HOST])).get(HOST)!;
    cluster = await TestCluster.start({ connectors: 2, chats: 2, env: { ...tls }, web: true });
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const read = (file: string): string => readFileSync(file, 'utf8');

  it('lets users on two connectors enter a room on each chat server and chat, every hop over TLS', async () => {
    const connectors = cluster.byType('connector');
    const chats = cluster.byType('chat');
    for (const chat of chats) {
      let rid = 'x';
      for (let i = 0; dispatch(rid, chats) !== chat; i++) rid = `tls-${i}`;
      const ann = await ChatClient.enter(cluster.gate, nameFor(connectors[0]!, connectors, 'ann'), rid);
      const ben = await ChatClient.enter(cluster.gate, nameFor(connectors[1]!, connectors, 'ben'), rid);
      expect(ben.entered.users).toEqual([ann.username, ben.username]);
      await ann.waitFor('onAdd', (e) => e.user === ben.username);
      expect(await ann.send(`over TLS via ${chat.id}`)).toMatchObject({ code: 200 });
      await ben.waitFor('onChat', (m) => m.msg === `over TLS via ${chat.id}` && m.from === ann.username);
      ann.close();
      ben.close();
    }
  });

  it('answers npm run status over TLS links (the operator tools present the host certificate too)', async () => {
    const report = parseReport(await runStatus(cluster, ['--json']));
    expect(report.servers.map((s) => `${s.id} ${s.state} ${s.error ?? ''}`.trim())).toEqual(cluster.servers.map((s) => `${s.id} up`));
  });

  it("serves the web server's /metrics, asked of every server over TLS", async () => {
    const metrics = parsePrometheusText(await (await fetch(`${cluster.webUrl}metrics`)).text());
    expect(metrics.samples('cluster_server_up').map((s) => [s.labels.server, s.value])).toEqual(cluster.servers.map((s) => [s.id, 1]));
  });

  it('takes a link from a peer with a certificate of the cluster CA (the control for the refusals below)', async () => {
    const chat = cluster.byType('chat')[0]!;
    const attempt = await tryLink(chat, read(tls.RPC_TLS_CA), { cert: read(tls.RPC_TLS_CERT), key: read(tls.RPC_TLS_KEY) });
    expect(attempt).toEqual({ connected: true, answered: true });
  });

  it('refuses a peer whose certificate another CA signed at the TLS handshake: no link, no RPC', async () => {
    const chat = cluster.byType('chat')[0]!;
    const attempt = await tryLink(chat, read(tls.RPC_TLS_CA), { cert: read(stranger.RPC_TLS_CERT), key: read(stranger.RPC_TLS_KEY) });
    expect(attempt).toMatchObject({ connected: false, answered: false });
    await waitUntil(
      () => cluster.recentLogs([chat.id]).includes('refused an RPC peer at the TLS handshake'),
      5000,
      `${chat.id} logged the refusal`,
      () => cluster.recentLogs([chat.id]),
    );
  });

  it('refuses a peer that presents no certificate at all: no link, no RPC', async () => {
    const connector = cluster.byType('connector')[0]!;
    const attempt = await tryLink(connector, read(tls.RPC_TLS_CA), undefined);
    expect(attempt).toMatchObject({ connected: false, answered: false });
  });

  it('stops a server given only some of the three settings, with one line naming the missing one (exit 78)', async () => {
    // The cluster's environment has all three: blank (`RPC_TLS_KEY=` in .env) is unset.
    const env = cluster.processEnv({ RPC_TLS_KEY: '', RPC_TLS_CA: '' });
    const run = await runProcess(process.execPath, [SERVER_ENTRY, '--id', 'chat-server-1'], env);
    expect(run.code).toBe(78);
    expect(run.stderr.trim()).toBe(
      'config error: .env: RPC_TLS_KEY: RPC_TLS_CERT, RPC_TLS_KEY and RPC_TLS_CA go together: set all three or none (RPC_TLS_CERT set)',
    );
  });
});
