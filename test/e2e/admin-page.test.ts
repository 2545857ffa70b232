import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS_DIR, launchChromium } from '../helpers/browser';
import { sleep } from '../../game-server/sleep';
import { ChatClient, closeAllSockets } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';

const API_KEY = 'admin-page-test-key-0123456789';

/**
 * The little of the DOM the page-side functions below use: the tests compile without DOM types, and
 * strings would be `eval` in the page, which its Content-Security-Policy (rightly) refuses. Each function
 * is sent to the page on its own (no closure), hence the cast written out in each.
 */
interface PageElement {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}
interface PageGlobals {
  document: { querySelector(selector: string): PageElement; querySelectorAll(selector: string): ArrayLike<PageElement> };
  sessionStorage: { getItem(key: string): string | null };
  localStorage: { length: number };
}

describe('the admin page (/admin), in headless Chromium against a real cluster', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  const dialogs: string[] = [];
  const clients: ChatClient[] = [];
  let traffic: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    [cluster, browser] = await Promise.all([TestCluster.start({ connectors: 2, chats: 2, web: true, env: { API_KEY } }), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('Content Security Policy')) errors.push(message.text());
    });
    for (const [user, rid] of [
      ['alice', 'lobby'],
      ['bob', 'lobby'],
      ['carol', 'lobby'],
      ['<b>dave</b>', 'garden'],
      ['erin', 'garden'],
    ] as const) {
      clients.push(await ChatClient.enter(cluster.gate, user, rid));
    }
  });

  afterAll(async () => {
    clearInterval(traffic);
    closeAllSockets();
    await context?.close();
    await browser?.close();
    await cluster?.stop();
  });

  afterEach(() => {
    expect({ errors, dialogs }).toEqual({ errors: [], dialogs: [] });
  });

  it('asks for the API key, and says so when it is wrong', async () => {
    await page.goto(new URL('admin', cluster.webUrl).href);
    await page.locator('#key-form').waitFor();
    await page.fill('#api-key', 'not-the-key');
    await page.click('#key-button');
    const error = page.locator('#key-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toBe('The API key was refused.');
    expect(await page.locator('#admin-view').isHidden()).toBe(true);
  });

  it('shows every server with its state, pid, uptime and connections, and every room with its members', async () => {
    await page.fill('#api-key', API_KEY);
    await page.click('#key-button');
    await page.locator('#admin-view').waitFor({ state: 'visible' });
    await page.locator('#servers tbody tr').first().waitFor();
    const rows = page.locator('#servers tbody tr');
    expect(await rows.count()).toBe(cluster.servers.length);
    for (const server of cluster.servers) {
      const row = page.locator(`#servers tr[data-server="${server.id}"]`);
      expect(await row.getAttribute('data-state')).toBe('up');
      const cells = await row.locator('td').allTextContents();
      expect(cells.slice(0, 3)).toEqual([server.id, server.serverType, 'up']);
      expect(cells[3]).toBe(String(cluster.pid(server.id)));
      expect(cells[4]).toMatch(/^\d+(s|m \d+s)$/);
    }
    const connections = await page.locator('#servers tr[data-server^="connector"] td:nth-child(6)').allTextContents();
    expect(connections.map(Number).reduce((a, b) => a + b, 0)).toBe(5);

    await page.locator('#rooms li.room[data-rid="lobby"]').waitFor();
    const members = async (rid: string): Promise<string[]> =>
      (await page.locator(`#rooms li.room[data-rid="${rid}"] .member .name`).allTextContents()).sort();
    expect(await members('lobby')).toEqual(['alice', 'bob', 'carol']);
    expect(await members('garden')).toEqual(['<b>dave</b>', 'erin']);
    // Names are text: the markup in a name is shown, never made into elements.
    expect(await page.locator('#rooms b').count()).toBe(0);
    expect(await page.locator('#summary').textContent()).toBe(
      `${cluster.servers.length} of ${cluster.servers.length} servers up · 2 rooms · 5 members`,
    );
  });

  it('draws messages per second per server as a live chart', async () => {
    const [alice, , , , erin] = clients;
    let n = 0;
    traffic = setInterval(() => {
      void alice!.send(`lobby message ${++n}`);
      void erin!.send(`garden message ${n}`);
    }, 50);
    // Page-side expressions as strings: the tests are compiled without DOM types.
    await page.waitForFunction(
      () => Number((globalThis as unknown as PageGlobals).document.querySelector('#rate-chart').dataset.samples) >= 4,
      undefined,
      {
        timeout: 15_000,
      },
    );
    // Some chat server shows a rate above zero in the table, and the legend names every server charted.
    await page.waitForFunction(
      () =>
        Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('#servers tr[data-server^="chat"] td.rate')).some(
          (td) => Number(td.textContent) > 0,
        ),
      undefined,
      { timeout: 10_000 },
    );
    const legend = await page.locator('#rate-legend li').allTextContents();
    expect(legend.length).toBe(cluster.servers.filter((s) => s.serverType !== 'gate').length);
    expect(legend.join(' ')).toMatch(/chat-server-\d: [\d.]+\/s/);
    const painted = await page.evaluate(() => {
      const canvas = (globalThis as unknown as PageGlobals).document.querySelector('#rate-chart');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let colored = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && !(data[i] === data[i + 1] && data[i + 1] === data[i + 2])) colored++;
      return colored;
    });
    expect(painted).toBeGreaterThan(100);
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'admin.png'), fullPage: true });
    clearInterval(traffic);
  });

  it('kicks a member with the button: the user gets onKick and leaves, the page shows the room without them', async () => {
    const bob = clients[1]!;
    const alice = clients[0]!;
    await page.click('#rooms li.room[data-rid="lobby"] .member[data-user="bob"] button.kick');
    expect(await bob.waitFor('onKick')).toEqual({ rid: 'lobby', reason: 'removed by an administrator' });
    await alice.waitFor('onLeave', (e) => e.user === 'bob');
    await page.locator('#kick-result', { hasText: 'Kicked bob from lobby.' }).waitFor();
    await page.locator('#rooms li.room[data-rid="lobby"] .member[data-user="bob"]').waitFor({ state: 'detached' });
    expect((await page.locator('#rooms li.room[data-rid="lobby"] .member .name').allTextContents()).sort()).toEqual(['alice', 'carol']);
  });

  it('shows a stopped server as down, and keeps the key in this tab only', async () => {
    const chat = cluster.byType('chat')[1]!;
    await cluster.stopServer(chat.id);
    await page.locator(`#servers tr[data-server="${chat.id}"][data-state="down"]`).waitFor();
    // Another tab of the same browser (same context: same localStorage and cookies) does not have it: it asks.
    const otherTab = await context.newPage();
    try {
      // Settled: a tab that had the key would have asked for /api/cluster and shown the admin view by then.
      await otherTab.goto(new URL('admin', cluster.webUrl).href, { waitUntil: 'networkidle' });
      expect(await otherTab.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('admin.apiKey'))).toBeNull();
      expect({
        keyForm: await otherTab.locator('#key-form').isVisible(),
        adminView: await otherTab.locator('#admin-view').isVisible(),
      }).toEqual({ keyForm: true, adminView: false });
    } finally {
      await otherTab.close();
    }
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('admin.apiKey'))).toBe(API_KEY);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.length)).toBe(0);
    await page.click('#forget-button');
    await page.locator('#key-form').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('admin.apiKey'))).toBeNull();
    await sleep(100);
  });
});
