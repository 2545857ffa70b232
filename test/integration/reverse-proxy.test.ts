/**
 * docs/reverse-proxy.md's nginx config, as written there, in front of a real cluster: clients speak only TLS to
 * nginx (the page, /config.json, the gate, the connectors), and the gate sends them to nginx's ports.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import path from 'node:path';
import type { WebSocket } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import {
  EVERYONE,
  Push,
  Route,
  type ChatMessage,
  type ClientToServerEvents,
  type EnterResult,
  type QueryEntryResult,
  type Reply,
  type SendResult,
  type ServerToClientEvents,
} from '../../app/protocol';
import { ChatPage, launchChromium } from '../helpers/browser';
import { PROJECT_ROOT } from '../helpers/cluster';
import { NGINX_TEMPLATE, ProxiedCluster } from '../helpers/nginx-proxy';

type WssSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const DOC = path.join(PROJECT_ROOT, 'docs/reverse-proxy.md');
const HOST = '127.0.0.1';

/** Chromium's switch to accept exactly this certificate's key (the test CA is not in its trust store). */
function trustKey(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`;
}

/** GET over https, trusting the test CA only. */
function httpsGet(port: number, pathname: string, ca: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: HOST, port, path: pathname, ca, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    })
      .on('timeout', function (this: { destroy(err: Error): void }) {
        this.destroy(new Error(`GET https://${HOST}:${port}${pathname} timed out`));
      })
      .on('error', reject);
  });
}

describe('behind nginx (docs/reverse-proxy.md)', () => {
  const sockets: WssSocket[] = [];
  let proxied: ProxiedCluster | undefined;
  let ca: string;
  /** nginx's public ports: the web server and the gate, then one per connector. */
  let publicPort: number;
  let connectorPorts: number[];

  /** A socket.io connection over wss to one of nginx's ports, connected (websocket only, as the browser client). */
  async function connectWss(port: number): Promise<WssSocket> {
    const socket: WssSocket = io(`https://${HOST}:${port}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ca,
      timeout: 5000,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  }

  async function queryEntry(uid: string): Promise<Reply<QueryEntryResult>> {
    const gate = await connectWss(publicPort);
    try {
      return (await gate.timeout(5000).emitWithAck(Route.queryEntry, { uid })) as Reply<QueryEntryResult>;
    } finally {
      gate.disconnect();
    }
  }

  beforeAll(async () => {
    proxied = await ProxiedCluster.start();
    ({ ca, publicPort, connectorPorts } = proxied);
  }, 90_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await proxied?.stop();
  }, 30_000);

  it('shows in docs/reverse-proxy.md exactly the config file it tests', () => {
    const doc = readFileSync(DOC, 'utf8');
    const block = /^```nginx\n([\s\S]*?)^```$/m.exec(doc)?.[1];
    expect(block).toBe(readFileSync(NGINX_TEMPLATE, 'utf8'));
  });

  it('serves the page and /config.json over https, /config.json naming the gate at nginx', async () => {
    const page = await httpsGet(publicPort, '/', ca);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    const config = await httpsGet(publicPort, '/config.json', ca);
    expect(config.status).toBe(200);
    expect(JSON.parse(config.body)).toEqual({ gate: { host: HOST, port: publicPort, secure: true } });
  });

  it('sends users from the gate to the connectors over wss through nginx, where they enter, send and get pushes', async () => {
    // Users until every connector has one, so each of nginx's connector servers is crossed.
    const byPort = new Map<number, string>();
    for (let i = 0; byPort.size < connectorPorts.length; i++) {
      if (i > 200) throw new Error(`the gate answered only ports ${[...byPort.keys()].join(', ')}`);
      const entry = await queryEntry(`user${i}`);
      if (entry.code !== 200) throw new Error(`queryEntry: ${JSON.stringify(entry)}`);
      expect(entry).toEqual({ code: 200, host: HOST, port: expect.any(Number), secure: true });
      // The gate's plain-HTTP entry (what the client library asks) through nginx answers the same.
      if (i === 0) expect(JSON.parse((await httpsGet(publicPort, '/entry?uid=user0', ca)).body)).toEqual(entry);
      if (!byPort.has(entry.port)) byPort.set(entry.port, `user${i}`);
    }
    expect([...byPort.keys()].sort()).toEqual([...connectorPorts].sort());

    const users: { name: string; socket: WssSocket }[] = [];
    for (const [port, name] of byPort) {
      const socket = await connectWss(port);
      const entered = (await socket.timeout(5000).emitWithAck(Route.enter, { username: name, rid: 'proxied' })) as Reply<EnterResult>;
      expect(entered.code).toBe(200);
      users.push({ name, socket });
    }

    const [sender] = users;
    const delivered = users.map(
      (user) =>
        new Promise<ChatMessage>((resolve) => {
          user.socket.on(Push.chat, (message) => {
            if (message.msg === 'through nginx') resolve(message);
          });
        }),
    );
    const sent = (await sender!.socket
      .timeout(5000)
      .emitWithAck(Route.send, { content: 'through nginx', target: EVERYONE })) as Reply<SendResult>;
    expect(sent.code).toBe(200);
    const received = await Promise.all(delivered);
    expect(received.map((m) => m.from)).toEqual(users.map(() => sender!.name));
  });

  // The browser client, as users of a proxied cluster meet it (on the same nginx and cluster as the tests above).
  it('the browser client: loads the page over https and lets two people chat over wss', async () => {
    const browser = await launchChromium([trustKey(proxied!.cert)]);
    const pages: ChatPage[] = [];
    try {
      const opened: string[] = [];
      const open = async (): Promise<ChatPage> => {
        const page = await ChatPage.open(browser, proxied!.url);
        page.page.on('websocket', (ws: WebSocket) => opened.push(ws.url()));
        pages.push(page);
        return page;
      };
      const [ann, ben] = [await open(), await open()];
      expect(ann.page.url()).toBe(proxied!.url);
      await ann.enter('ann', 'proxied-page');
      await ben.enter('ben', 'proxied-page');
      await ann.waitForUsers(['ann', 'ben']);

      await ann.send('hello through nginx');
      await ben.message('hello through nginx').waitFor();
      await ben.send('and back');
      await ann.message('and back').waitFor();

      // Every socket the pages opened went to nginx over wss, to a connector on a port of its own (the gate is GET /entry).
      const nginxPorts = new Set([publicPort, ...connectorPorts].map(String));
      expect(opened.length).toBeGreaterThanOrEqual(2);
      for (const url of opened) {
        const { protocol, hostname, port } = new URL(url);
        expect({ protocol, hostname, nginx: nginxPorts.has(port) }).toEqual({ protocol: 'wss:', hostname: proxied!.host, nginx: true });
      }
      expect(opened.some((url) => new URL(url).port !== String(publicPort))).toBe(true);
      for (const page of pages) expect({ errors: page.errors, dialogs: page.dialogs }).toEqual({ errors: [], dialogs: [] });
    } finally {
      await Promise.allSettled(pages.map((p) => p.close()));
      await browser.close();
    }
  }, 60_000);
});
