/**
 * The browser client through docs/reverse-proxy.md's nginx: the page loads over https from nginx, and two
 * people chat over wss (the gate and the connectors at nginx's ports), as users of a proxied cluster would.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { Browser, WebSocket } from 'playwright-core';
import { ChatPage, launchChromium } from '../helpers/browser';
import { ProxiedCluster } from '../helpers/nginx-proxy';

/** Chromium's switch to accept exactly this certificate's key (the test CA is not in its trust store). */
function trustKey(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`;
}

describe('the browser client behind nginx', () => {
  let proxied: ProxiedCluster;
  let browser: Browser;
  const pages: ChatPage[] = [];

  beforeAll(async () => {
    proxied = await ProxiedCluster.start();
    browser = await launchChromium([trustKey(proxied.cert)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(pages.map((p) => p.close()));
    await browser?.close();
    await proxied?.stop();
  }, 30_000);

  it('loads the page over https and lets two people chat over wss', async () => {
    const sockets: string[] = [];
    const open = async (): Promise<ChatPage> => {
      const page = await ChatPage.open(browser, proxied.url);
      page.page.on('websocket', (ws: WebSocket) => sockets.push(ws.url()));
      pages.push(page);
      return page;
    };
    const [ann, ben] = [await open(), await open()];
    expect(ann.page.url()).toBe(proxied.url);
    await ann.enter('ann', 'proxied');
    await ben.enter('ben', 'proxied');
    await ann.waitForUsers(['ann', 'ben']);

    await ann.send('hello through nginx');
    await ben.message('hello through nginx').waitFor();
    await ben.send('and back');
    await ann.message('and back').waitFor();

    // Every socket the pages opened went to nginx over wss: the gate on the public port, a connector on one of its own.
    const nginxPorts = new Set([proxied.publicPort, ...proxied.connectorPorts].map(String));
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    for (const url of sockets) {
      const { protocol, hostname, port } = new URL(url);
      expect({ protocol, hostname, nginx: nginxPorts.has(port) }).toEqual({ protocol: 'wss:', hostname: proxied.host, nginx: true });
    }
    expect(sockets.some((url) => new URL(url).port !== String(proxied.publicPort))).toBe(true);
    for (const page of pages) expect({ errors: page.errors, dialogs: page.dialogs }).toEqual({ errors: [], dialogs: [] });
  });
});
