import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import type { ServerInfo } from '../../game-server/config/server-info';
import { dispatch } from '../../game-server/router/dispatch';
import { sleep } from '../../game-server/sleep';
import { ChatClient, closeAllSockets, queryEntry } from '../helpers/chat-client';
import { freePorts } from '../helpers/free-port';
import { Pm2Cluster } from '../helpers/pm2-cluster';
import { makeCerts, type RpcTlsEnv } from '../helpers/rpc-certs';

const HOST_A = '127.0.0.1';
const HOST_B = '127.0.0.2';

/** A user name the gate sends to `connector`. */
function nameFor(connector: ServerInfo, connectors: ServerInfo[], prefix: string): string {
  for (let i = 0; ; i++) if (dispatch(`${prefix}${i}`, connectors) === connector) return `${prefix}${i}`;
}

// With TLS, each host has its own certificate (npm run certs, one CA) naming its address: a link from host A
// to host B checks B's certificate against 127.0.0.2, and B checks A's against the CA.
describe.each([
  { links: 'plain ws', tls: false },
  { links: 'mutual TLS', tls: true },
])('a cluster on two hosts (127.0.0.1 and 127.0.0.2), each started with CLUSTER_HOST, internal links over $links', ({ tls }) => {
  let hostA: Pm2Cluster;
  let hostB: Pm2Cluster;
  let servers: ServerInfo[];
  let certsDir: string | undefined;
  let certs: Map<string, RpcTlsEnv> | undefined;

  beforeAll(async () => {
    if (tls) {
      certsDir = mkdtempSync(path.join(os.tmpdir(), 'two-hosts-certs-'));
      certs = await makeCerts(certsDir, [HOST_A, HOST_B]);
    }
    const [a1, a2, a3, a4, a5] = await freePorts(5, HOST_A);
    const [b1, b2, b3] = await freePorts(3, HOST_B);
    servers = [
      { id: 'gate-server-1', serverType: 'gate', host: HOST_A, port: a1!, clientPort: a2!, frontend: true },
      { id: 'connector-server-1', serverType: 'connector', host: HOST_A, port: a3!, clientPort: a4!, frontend: true },
      { id: 'connector-server-2', serverType: 'connector', host: HOST_B, port: b1!, clientPort: b2!, frontend: true },
      { id: 'chat-server-1', serverType: 'chat', host: HOST_A, port: a5! },
      { id: 'chat-server-2', serverType: 'chat', host: HOST_B, port: b3! },
    ];
    hostA = await Pm2Cluster.start({ servers, clusterHost: HOST_A, env: { ...certs?.get(HOST_A) } });
    hostB = await Pm2Cluster.start({ servers, clusterHost: HOST_B, env: { ...certs?.get(HOST_B) } });
    // Links to host B's servers opened before host B ran, and come up within a reconnection delay of it
    // listening: until then the gate counts its connector as down, and pushes to it are dropped (never
    // buffered). Wait until a message crosses from host A to host B through each chat server.
    const connectors = servers.filter((s) => s.serverType === 'connector');
    const chats = servers.filter((s) => s.serverType === 'chat');
    for (const [n, chat] of chats.entries()) {
      let rid = 'x';
      for (let i = 0; dispatch(rid, chats) !== chat; i++) rid = `probe-${n}-${i}`;
      const deadline = Date.now() + 10_000;
      const probe = async (name: string, connector: ServerInfo): Promise<ChatClient> => {
        for (; ; await sleep(50)) {
          const entry = await queryEntry(hostA.gate, name);
          if (entry.code === 200 && entry.port === connector.clientPort) return ChatClient.enter(hostA.gate, name, rid);
          if (Date.now() > deadline) throw new Error(`the gate never sent ${name} to ${connector.id}`);
        }
      };
      const from = await probe(nameFor(connectors[0]!, connectors, 'pa'), connectors[0]!);
      const to = await probe(nameFor(connectors[1]!, connectors, 'pb'), connectors[1]!);
      for (let i = 0; ; i++) {
        await from.send(`probe ${i}`);
        if (
          await to
            .waitFor('onChat', (m) => m.msg === `probe ${i}`, 200)
            .then(
              () => true,
              () => false,
            )
        )
          break;
        if (Date.now() > deadline) throw new Error(`no message reached host B through ${chat.id}`);
      }
      from.close();
      to.close();
    }
  });

  afterAll(async () => {
    closeAllSockets();
    await hostA?.stop();
    await hostB?.stop();
    if (certsDir) rmSync(certsDir, { recursive: true, force: true });
  });

  it("starts on each host only the servers whose host it is, and the web server on the gate's host", async () => {
    expect((await hostA.list()).map((p) => p.name).sort()).toEqual(['chat-server-1', 'connector-server-1', 'gate-server-1', 'web']);
    expect((await hostB.list()).map((p) => p.name).sort()).toEqual(['chat-server-2', 'connector-server-2']);
  });

  if (tls) {
    it("serves host B's internal ports over TLS with host B's certificate, which host A's certificate gets through", async () => {
      const read = (file: string): string => readFileSync(file, 'utf8');
      const ownA = certs!.get(HOST_A)!;
      const chatB = servers.find((s) => s.id === 'chat-server-2')!;
      const peer = await new Promise<PeerCertificate>((resolve, reject) => {
        const socket = tlsConnect(
          { host: chatB.host, port: chatB.port!, ca: read(ownA.RPC_TLS_CA), cert: read(ownA.RPC_TLS_CERT), key: read(ownA.RPC_TLS_KEY) },
          () => {
            resolve(socket.getPeerCertificate());
            socket.end();
          },
        );
        socket.once('error', reject);
      });
      expect(peer.subjectaltname).toBe(`IP Address:${HOST_B}`);
    });
  }

  it('lets users on connectors of both hosts chat in rooms on chat servers of both hosts', async () => {
    const connectors = servers.filter((s) => s.serverType === 'connector');
    const chats = servers.filter((s) => s.serverType === 'chat');
    for (const chat of chats) {
      let rid = 'x';
      for (let i = 0; dispatch(rid, chats) !== chat; i++) rid = `two-hosts-${i}`;
      const onA = await ChatClient.enter(hostA.gate, nameFor(connectors[0]!, connectors, 'a'), rid);
      const onB = await ChatClient.enter(hostA.gate, nameFor(connectors[1]!, connectors, 'b'), rid);
      expect(onA.connectorPort).toBe(connectors[0]!.clientPort);
      expect(onB.connectorPort).toBe(connectors[1]!.clientPort);
      expect(onB.entered.users).toEqual([onA.username, onB.username]);
      await onA.waitFor('onAdd', (e) => e.user === onB.username);
      expect(await onA.send(`from ${HOST_A} via ${chat.id}`)).toMatchObject({ code: 200 });
      await onB.waitFor('onChat', (m) => m.msg === `from ${HOST_A} via ${chat.id}`);
      expect(await onB.send(`from ${HOST_B} via ${chat.id}`)).toMatchObject({ code: 200 });
      await onA.waitFor('onChat', (m) => m.msg === `from ${HOST_B} via ${chat.id}`);
      onA.close();
      onB.close();
    }
  });
});
