import type { Browser } from 'playwright-core';
import { runAdmin } from '../helpers/admin-cli';
import { ChatPage, launchChromium } from '../helpers/browser';
import { TestCluster } from '../helpers/cluster';
import { TEST_AUTH_SECRET } from '../helpers/tokens';

describe('the browser client on a cluster with AUTH_SECRET, in headless Chromium', () => {
  let cluster: TestCluster;
  let browser: Browser;
  const pages: ChatPage[] = [];

  const open = async (url = cluster.webUrl): Promise<ChatPage> => {
    const page = await ChatPage.open(browser, url);
    pages.push(page);
    return page;
  };

  beforeAll(async () => {
    [cluster, browser] = await Promise.all([
      TestCluster.start({ connectors: 2, chats: 1, web: true, env: { AUTH_SECRET: TEST_AUTH_SECRET } }),
      launchChromium(),
    ]);
  });

  afterAll(async () => {
    await Promise.allSettled(pages.map((p) => p.close()));
    await browser?.close();
    await cluster?.stop();
  });

  afterEach(() => {
    for (const page of pages) expect({ dialogs: page.dialogs, errors: page.errors }).toEqual({ dialogs: [], errors: [] });
  });

  let alice: ChatPage;
  let bob: ChatPage;

  it('signs in with a token from the web server (development sign-in) and chats', async () => {
    [alice, bob] = [await open(), await open()];
    await alice.enter('alice', 'lobby');
    await bob.enter('bob', 'lobby');
    await alice.send('signed in with a token');
    await bob.message('signed in with a token').waitFor();
  });

  it('a banned user sees why, is not reconnected, and is refused on entering again', async () => {
    const run = await runAdmin(cluster, ['ban', 'bob', '--room', 'lobby', '--minutes', '10', '--reason', 'flooding']);
    expect(run.code).toBe(0);
    const error = bob.page.locator('#login-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toMatch(/^You were removed from room "lobby": flooding\. You may enter again after .+\.$/);
    expect(await bob.page.locator('#chat-view').isHidden()).toBe(true);
    await alice.notice('bob left the room').waitFor();
    await alice.waitForUsers(['alice']);

    await bob.submitLogin('bob', 'lobby');
    await error.waitFor({ state: 'visible' });
    await bob.page.locator('#login-error', { hasText: 'Not allowed: you are banned from this room for 10 more minutes.' }).waitFor();
    await bob.screenshot('banned.png');
  });

  it('says a sign-in is needed when the web server issues no tokens (AUTH_DEV_LOGIN=0)', async () => {
    const port = await cluster.startWeb({ AUTH_DEV_LOGIN: '0' }, 'web-no-dev-login');
    const carol = await open(`http://127.0.0.1:${port}/`);
    await carol.submitLogin('carol', 'lobby');
    const error = carol.page.locator('#login-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toBe('Sign-in needed: a token is required to enter.');
  });
});
