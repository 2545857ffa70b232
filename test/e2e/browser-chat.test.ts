import type { Browser } from 'playwright-core';
import { dispatch } from '../../game-server/router/dispatch';
import { ChatPage, launchChromium } from '../helpers/browser';
import { TestCluster } from '../helpers/cluster';

const XSS = '<img src=x onerror=alert(1)>';

describe('the browser client, in headless Chromium against a real cluster', () => {
  let cluster: TestCluster;
  let browser: Browser;
  const pages: ChatPage[] = [];

  const open = async (): Promise<ChatPage> => {
    const page = await ChatPage.open(browser, cluster.webUrl);
    pages.push(page);
    return page;
  };

  beforeAll(async () => {
    [cluster, browser] = await Promise.all([TestCluster.start({ connectors: 2, chats: 2, web: true }), launchChromium()]);
  });

  afterAll(async () => {
    await Promise.allSettled(pages.map((p) => p.close()));
    await browser?.close();
    await cluster?.stop();
  });

  afterEach(() => {
    for (const page of pages) {
      // An open cluster (no AUTH_SECRET) answers the page's token request 404 at each entry, as docs/PROTOCOL.md says.
      const failedRequests = page.failedRequests.filter((r) => !/^404 POST \S+\/api\/token$/.test(r));
      expect({ dialogs: page.dialogs, errors: page.errors, failedRequests }).toEqual({
        dialogs: [],
        errors: [],
        failedRequests: [],
      });
    }
  });

  let alice: ChatPage;
  let bob: ChatPage;

  it('lets two people in one room see each other and chat in public and in private; another room sees none of it', async () => {
    [alice, bob] = [await open(), await open()];
    const carol = await open();
    await alice.enter('alice', 'lobby');
    await bob.enter('bob', 'lobby');
    await carol.enter('carol', 'garden');

    await alice.waitForUsers(['alice', 'bob']);
    await bob.waitForUsers(['alice', 'bob']);
    await alice.notice('bob joined the room').waitFor();

    await alice.send('Hello bob, welcome to the lobby!');
    for (const page of [alice, bob]) {
      const message = page.message('Hello bob, welcome to the lobby!');
      await message.waitFor();
      expect(await message.locator('.from').textContent()).toBe('alice');
      expect(await message.locator('time').textContent()).toMatch(/\d/);
      expect(await message.getAttribute('class')).not.toContain('private');
    }

    await bob.send('psst, alice: this one is just for you', 'alice');
    const received = alice.message('psst, alice: this one is just for you');
    await received.waitFor();
    expect(await received.getAttribute('class')).toContain('private');
    expect(await received.locator('.badge').textContent()).toBe('private');
    expect(await received.locator('.to').textContent()).toBe('to you');
    const own = bob.message('psst, alice: this one is just for you');
    await own.waitFor();
    expect(await own.locator('.to').textContent()).toBe('to alice');

    await bob.send('Nice to meet you. How is the cluster doing?');
    await alice.message('Nice to meet you. How is the cluster doing?').waitFor();
    await alice.send('Three chat servers, no lost messages so far.');
    await bob.message('Three chat servers, no lost messages so far.').waitFor();
    await alice.screenshot('chat.png');
    await alice.page.setViewportSize({ width: 390, height: 760 });
    await alice.screenshot('chat-narrow.png');
    await alice.page.setViewportSize({ width: 1100, height: 680 });

    // carol's room is another room: its own list, none of the lobby's messages.
    await carol.send('anyone in the garden?');
    await carol.message('anyone in the garden?').waitFor();
    expect(await carol.users()).toEqual(['carol']);
    expect(await carol.page.locator('#messages li.msg .from').allTextContents()).toEqual(['carol']);
    expect(await alice.message('anyone in the garden?').count()).toBe(0);
    expect(await bob.message('anyone in the garden?').count()).toBe(0);
  });

  it('loads the page with an icon and nothing answered 404 (the browser asks for /favicon.ico too)', async () => {
    const { page } = await open();
    const href = new URL((await page.locator('link[rel="icon"]').getAttribute('href'))!, page.url()).href;
    expect(href).toBe(new URL('favicon.svg', cluster.webUrl).href);
    for (const url of [href, new URL('/favicon.ico', cluster.webUrl).href]) {
      const icon = await page.request.get(url);
      expect([url, icon.status(), icon.headers()['content-type']]).toEqual([url, 200, 'image/svg+xml']);
    }
    // afterEach: this page's own requests (page, scripts, styles, icon) all answered below 400.
  });

  it('shows the others a leave notice and a shorter list when a page closes', async () => {
    await bob.close();
    await alice.notice('bob left the room').waitFor();
    await alice.waitForUsers(['alice']);
    expect(await alice.page.locator('#target option').allTextContents()).toEqual(['Everyone']);
  });

  it("shows the room's recent messages on entering", async () => {
    const frank = await open();
    await frank.enter('frank', 'lobby');
    await frank.message('Three chat servers, no lost messages so far.').waitFor();
    const texts = await frank.page.locator('#messages li.msg .text').allTextContents();
    expect(texts).toEqual([
      'Hello bob, welcome to the lobby!',
      'Nice to meet you. How is the cluster doing?',
      'Three chat servers, no lost messages so far.',
    ]);
    await alice.waitForUsers(['alice', 'frank']);
  });

  it('shows a message written as HTML as text, and runs none of it', async () => {
    const dave = await open();
    const erin = await open();
    await dave.enter('dave', 'xss');
    await erin.enter('<b>erin</b>', 'xss');
    await dave.waitForUsers(['dave', '<b>erin</b>']);

    await dave.send(XSS);
    for (const page of [dave, erin]) {
      await page.message(XSS).waitFor();
      expect(await page.page.locator('#messages img, #users img, #users b').count()).toBe(0);
    }
    expect(await erin.message(XSS).locator('.text').textContent()).toBe(XSS);
    // A dialog would have been recorded (and fails the afterEach check); give onerror a chance to fire first.
    await erin.page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect([...dave.dialogs, ...erin.dialogs]).toEqual([]);
  });

  it('says inline that a name is taken in the room', async () => {
    const other = await open();
    await other.submitLogin('alice', 'lobby');
    const error = other.page.locator('#login-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toBe('The name "alice" is already taken in room "lobby". Choose another name.');
    expect(await other.page.locator('#chat-view').isHidden()).toBe(true);
    expect(await other.page.locator('#login-button').isEnabled()).toBe(true);
  });

  it('when the connection drops: a notice, then re-entry through the gate with the messages missed meanwhile', async () => {
    const connectors = cluster.byType('connector');
    const [ginaConnector, hankConnector] = connectors;
    const name = (prefix: string, connector: typeof ginaConnector): string => {
      for (let i = 0; ; i++) if (dispatch(`${prefix}${i}`, connectors) === connector) return `${prefix}${i}`;
    };
    const gina = await open();
    const hank = await open();
    const [ginaName, hankName] = [name('gina', ginaConnector), name('hank', hankConnector)];
    await gina.enter(ginaName, 'ops');
    await hank.enter(hankName, 'ops');
    await gina.waitForUsers([ginaName, hankName]);

    // With the gate down too, gina cannot get back in until both return: the gap is certain.
    await cluster.stopServer('gate-server-1');
    await cluster.stopServer(ginaConnector!.id);
    await gina.notice('Connection lost. Reconnecting…').waitFor();
    await gina.page.locator('#connection-banner', { hasText: 'gate' }).waitFor();
    expect(await gina.page.locator('#send-button').isDisabled()).toBe(true);

    // Meanwhile a newcomer is told plainly that the server is down.
    const late = await open();
    await late.submitLogin('ivy', 'ops');
    await late.page.locator('#login-error', { hasText: 'not reachable' }).waitFor();
    await late.screenshot('login-server-down.png');

    await hank.send('sent while gina was away');
    await hank.message('sent while gina was away').waitFor();
    await gina.screenshot('reconnecting.png');

    await cluster.startServer(ginaConnector!.id);
    await cluster.startServer('gate-server-1');
    await gina.notice(/^Reconnected\. 1 message from while you were away is above\./).waitFor({ timeout: 15_000 });
    await gina.message('sent while gina was away').waitFor();
    await gina.page.locator('#connection-banner').waitFor({ state: 'hidden' });
    await gina.send('back again');
    await hank.message('back again').waitFor();
    await gina.message('back again').waitFor();
    await gina.screenshot('reconnected.png');
  });

  it("says that messages may be missing when the room's log was lost (its chat server crashed, memory store), and chats on", async () => {
    const jack = await open();
    const kim = await open();
    await jack.enter('jack', 'fragile');
    await kim.enter('kim', 'fragile');
    await jack.waitForUsers(['jack', 'kim']);
    await jack.send('before the crash');
    await kim.message('before the crash').waitFor();

    const owner = dispatch('fragile', cluster.byType('chat'));
    await cluster.stopServer(owner.id, 'SIGKILL');
    await cluster.startServer(owner.id);
    for (const page of [jack, kim]) await page.notice(/^Some messages may be missing/).waitFor({ timeout: 15_000 });
    await kim.screenshot('messages-may-be-missing.png');

    await jack.send('after the crash');
    await kim.message('after the crash').waitFor();
    await jack.message('after the crash').waitFor();
  });
});
