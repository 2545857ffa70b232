import type { Browser } from 'playwright-core';
import type { ServerInfo } from '../../game-server/config/server-info';
import { dispatch } from '../../game-server/router/dispatch';
import { runAdmin } from '../helpers/admin-cli';
import { ChatPage, launchChromium } from '../helpers/browser';
import { TestCluster } from '../helpers/cluster';
import { TEST_AUTH_SECRET } from '../helpers/tokens';

// Signed in with the web server's development tokens, so one user may have several tabs open.
describe('the browser client in several rooms at once, in headless Chromium against a real cluster', () => {
  let cluster: TestCluster;
  let browser: Browser;
  const pages: ChatPage[] = [];

  const open = async (): Promise<ChatPage> => {
    const page = await ChatPage.open(browser, cluster.webUrl);
    pages.push(page);
    return page;
  };

  beforeAll(async () => {
    [cluster, browser] = await Promise.all([
      TestCluster.start({ connectors: 2, chats: 2, web: true, env: { AUTH_SECRET: TEST_AUTH_SECRET, AUTH_DEV_LOGIN: '1' } }),
      launchChromium(),
    ]);
  });

  afterAll(async () => {
    await Promise.allSettled(pages.map((p) => p.close()));
    await browser?.close();
    await cluster?.stop();
  });

  afterEach(() => {
    for (const page of pages) {
      expect({ dialogs: page.dialogs, errors: page.errors, failedRequests: page.failedRequests }).toEqual({
        dialogs: [],
        errors: [],
        failedRequests: [],
      });
    }
  });

  let alice: ChatPage;
  let bob: ChatPage;

  it('joins a second room and switches between them: the pane and the user list show the room in view', async () => {
    [alice, bob] = [await open(), await open()];
    await alice.enter('alice', 'lobby');
    await bob.enter('bob', 'lobby');
    await alice.waitForUsers(['alice', 'bob']);
    await alice.send('hello lobby');
    await bob.message('hello lobby').waitFor();

    await alice.join('games');
    expect(await alice.rooms()).toEqual(['lobby', 'games']);
    await alice.waitForUsers(['alice']);
    expect(await alice.message('hello lobby').count()).toBe(0);

    await bob.join('games');
    await alice.notice('bob joined the room').waitFor();
    await alice.waitForUsers(['alice', 'bob']);
    await alice.send('hello games');
    await bob.message('hello games').waitFor();
    await alice.message('hello games').waitFor();

    await alice.switchTo('lobby');
    await alice.message('hello lobby').waitFor();
    expect(await alice.message('hello games').count()).toBe(0);
    expect(await alice.page.locator('#messages li.notice', { hasText: 'You joined room "games"' }).count()).toBe(0);
    await alice.waitForUsers(['alice', 'bob']);
  });

  it('counts the messages of a room not in view on its badge; the count survives a reload and goes once the room is read', async () => {
    // alice looks at the lobby; bob writes in games.
    for (const text of ['one', 'two', 'three']) {
      await bob.send(`games ${text}`);
      await bob.message(`games ${text}`).waitFor();
    }
    await alice.unreadBadge('games').filter({ hasText: /^3$/ }).waitFor();
    expect(await alice.unreadBadge('lobby').isHidden()).toBe(true);
    await alice.screenshot('rooms-unread.png');

    // The reload enters both rooms again, the lobby in view, and the server's marker gives the badge again.
    await alice.page.reload();
    await alice.page.locator('#chat-view').waitFor({ state: 'visible' });
    await alice.unreadBadge('games').filter({ hasText: /^3$/ }).waitFor();
    expect(await alice.rooms()).toEqual(['lobby', 'games']);
    expect(await alice.page.locator('#room-name').textContent()).toBe('lobby');
    await alice.message('hello lobby').waitFor();

    await alice.switchTo('games');
    await alice.message('games three').waitFor();
    await alice.unreadBadge('games').waitFor({ state: 'hidden' });
    // The read marker reaches the server once things settle; the entry says what the server has.
    const lastSeq = await alice.message('games three').getAttribute('data-seq');
    await alice.page.locator(`#rooms li.room[data-read-seq="${lastSeq}"]`, { hasText: 'games' }).waitFor();

    await alice.page.reload();
    await alice.page.locator('#chat-view').waitFor({ state: 'visible' });
    expect(await alice.page.locator('#room-name').textContent()).toBe('games');
    await alice.message('games three').waitFor();
    expect(await alice.unreadBadge('games').isHidden()).toBe(true);
    expect(await alice.unreadBadge('lobby').isHidden()).toBe(true);
  });

  it("shows who is typing under the other user's pane, only for the room in view, and clears it on send", async () => {
    // alice is in games (in view), bob too.
    await bob.page.locator('#message').pressSequentially('wait for it', { delay: 20 });
    const typing = alice.page.locator('#typing');
    await typing.filter({ hasText: /^bob is typing…$/ }).waitFor();
    expect(await bob.page.locator('#typing').textContent()).toBe('');

    // Another room in view: its own typing line.
    await alice.switchTo('lobby');
    expect(await typing.textContent()).toBe('');
    await alice.switchTo('games');
    await typing.filter({ hasText: /^bob is typing…$/ }).waitFor();
    await alice.screenshot('rooms-typing.png');

    await bob.page.press('#message', 'Enter');
    await alice.message('wait for it').waitFor();
    await typing.filter({ hasText: /^$/ }).waitFor();

    // Typing, then clearing the input: the line goes too.
    await bob.page.locator('#message').pressSequentially('never mind', { delay: 20 });
    await typing.filter({ hasText: /^bob is typing…$/ }).waitFor();
    await bob.page.fill('#message', '');
    await typing.filter({ hasText: /^$/ }).waitFor();
  });

  it('delivers every message to both tabs of one user, and shows the user once in the list', async () => {
    const danaTab1 = await open();
    await danaTab1.enter('dana', 'tabs');
    const danaTab2 = await danaTab1.newTab();
    pages.push(danaTab2);
    // The second tab's form remembers the first tab's name and room.
    expect(await danaTab2.page.inputValue('#username')).toBe('dana');
    await danaTab2.enter('dana', 'tabs');
    const erin = await open();
    await erin.enter('erin', 'tabs');
    await erin.waitForUsers(['dana', 'erin']);

    await erin.send('hello both tabs');
    for (const page of [danaTab1, danaTab2, erin]) await page.message('hello both tabs').waitFor();
    await danaTab1.send('from the first tab');
    for (const page of [danaTab1, danaTab2, erin]) await page.message('from the first tab').waitFor();
    await erin.send('just for dana', 'dana');
    for (const page of [danaTab1, danaTab2]) await page.message('just for dana').waitFor();
    await danaTab2.screenshot('rooms-second-tab.png');
  });

  it('leaves a room: gone from the list, the others see the leave, the other room goes on', async () => {
    await alice.switchTo('games');
    await alice.roomEntry('games').locator('.leave-room').click();
    await alice.roomEntry('games').waitFor({ state: 'detached' });
    expect(await alice.rooms()).toEqual(['lobby']);
    expect(await alice.page.locator('#room-name').textContent()).toBe('lobby');
    // (alice's reloads above may have left such notices already: the user list is what tells.)
    await bob.waitForUsers(['bob']);
    await bob.notice('alice left the room').last().waitFor();

    await bob.switchTo('lobby');
    await bob.send('still in the lobby?');
    await alice.message('still in the lobby?').waitFor();
  });

  it('a kick from one room removes that room with the reason; the connection stays for the others', async () => {
    // bob is in lobby (in view) and games.
    const run = await runAdmin(cluster, ['kick', 'bob', '--room', 'games', '--reason', 'off topic']);
    expect(run.code).toBe(0);
    await bob.roomEntry('games').waitFor({ state: 'detached' });
    await bob.notice('You were removed from room "games": off topic.').waitFor();
    expect(await bob.rooms()).toEqual(['lobby']);

    await bob.send('kicked from games, not from here');
    await alice.message('kicked from games, not from here').waitFor();
    await bob.screenshot('rooms-kicked-from-one.png');
  });

  it('after the connection drops, enters every room again: what came meanwhile shows in view and on the badge of the other room', async () => {
    const connectors = cluster.byType('connector');
    // gina's connector goes down, hank's stays up.
    const [ginaConnector, hankConnector] = connectors as [ServerInfo, ServerInfo];
    const nameOn = (prefix: string, connector: ServerInfo): string => {
      for (let i = 0; ; i++) if (dispatch(`${prefix}${i}`, connectors) === connector) return `${prefix}${i}`;
    };
    const gina = await open();
    const hank = await open();
    await gina.enter(nameOn('gina', ginaConnector), 'ops');
    await gina.join('ops-night');
    await gina.switchTo('ops');
    await hank.enter(nameOn('hank', hankConnector), 'ops');
    await hank.join('ops-night');

    // With the gate down too, gina cannot get back in until both return: the gap is certain.
    await cluster.stopServer('gate-server-1');
    await cluster.stopServer(ginaConnector.id);
    await gina.notice('Connection lost. Reconnecting…').waitFor();
    await hank.send('night shift news');
    await hank.message('night shift news').waitFor();
    await hank.switchTo('ops');
    await hank.send('day shift news');
    await hank.message('day shift news').waitFor();

    await cluster.startServer(ginaConnector.id);
    await cluster.startServer('gate-server-1');
    await gina.notice(/^Reconnected\. 1 message from while you were away is above\./).waitFor({ timeout: 15_000 });
    await gina.message('day shift news').waitFor();
    await gina.unreadBadge('ops-night').filter({ hasText: /^1$/ }).waitFor();
    expect(await gina.rooms()).toEqual(['ops', 'ops-night']);
    await gina.switchTo('ops-night');
    await gina.message('night shift news').waitFor();
    await gina.send('back on nights');
    await hank.unreadBadge('ops-night').filter({ hasText: /^1$/ }).waitFor();
  });
});
