import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { PROJECT_ROOT } from './cluster';
import { waitUntil } from './wait';

/** Debian's Chromium (apt-get install chromium); playwright never downloads a browser here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots and other files a run leaves for people to look at (in .gitignore). */
export const ARTIFACTS_DIR = path.join(PROJECT_ROOT, 'test-artifacts');
const UI_TIMEOUT_MS = 10_000;

/** `args`: extra command-line switches for Chromium. */
export function launchChromium(args: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: sh scripts/system-deps.sh installs it (npm test runs it first), or set CHROMIUM_PATH to another one`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, timeout: 20_000, args });
}

/** One person with the chat client open in a tab of their own (own context: own storage, own sockets). */
export class ChatPage {
  /** Messages of every alert/confirm/prompt the page tried to open (each dismissed at once). */
  readonly dialogs: string[] = [];
  /** Uncaught errors in the page's scripts, and anything the Content-Security-Policy blocked. */
  readonly errors: string[] = [];
  /** Every request of the page answered 400 or above (`404 GET http://.../favicon.ico`): the console's "Failed to load resource". */
  readonly failedRequests: string[] = [];

  private constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
    /** A tab of another page's browser (same storage): closing it closes the tab only. */
    private readonly tabOnly = false,
  ) {
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('dialog', (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (err) => this.errors.push(err.message));
    page.on('response', (response) => {
      if (response.status() >= 400) this.failedRequests.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('Content Security Policy')) this.errors.push(message.text());
    });
  }

  static async open(browser: Browser, url: string): Promise<ChatPage> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 680 } });
    const chat = new ChatPage(context, await context.newPage());
    await chat.page.goto(url);
    await chat.page.locator('#login-form').waitFor();
    return chat;
  }

  /** Another tab of this page's browser: its storage and sign-in, its own connection. */
  async newTab(): Promise<ChatPage> {
    const tab = new ChatPage(this.context, await this.context.newPage(), true);
    await tab.page.goto(this.page.url());
    await tab.page.locator('#login-form').waitFor();
    return tab;
  }

  /** Fills in the login form and submits it (the outcome is for the caller to wait for). */
  async submitLogin(username: string, room: string): Promise<void> {
    await this.page.fill('#username', username);
    await this.page.fill('#room', room);
    await this.page.click('#login-button');
  }

  /** Logs in and waits for the chat screen. */
  async enter(username: string, room: string): Promise<void> {
    await this.submitLogin(username, room);
    await this.page.locator('#chat-view').waitFor({ state: 'visible' });
    await this.page.locator('#messages .notice', { hasText: 'You entered room' }).waitFor();
  }

  /** Joins one more room with the form beside the chat and waits for it to be in view. */
  async join(room: string): Promise<void> {
    await this.page.fill('#join-room', room);
    await this.page.press('#join-room', 'Enter');
    await this.roomEntry(room).and(this.page.locator('.current')).waitFor();
    await this.page.locator('#room-name', { hasText: exactly(room) }).waitFor();
  }

  /** Puts one of the user's rooms in view. */
  async switchTo(room: string): Promise<void> {
    await this.roomEntry(room).locator('.room-name').click();
    await this.page.locator('#room-name', { hasText: exactly(room) }).waitFor();
  }

  /** The room's entry in the room list beside the chat. */
  roomEntry(room: string): Locator {
    return this.page.locator('#rooms li.room').filter({ has: this.page.locator('.room-name', { hasText: exactly(room) }) });
  }

  /** The room's unread badge (hidden at 0). */
  unreadBadge(room: string): Locator {
    return this.roomEntry(room).locator('.unread');
  }

  rooms(): Promise<string[]> {
    return this.page.locator('#rooms .room-name').allTextContents();
  }

  /** Sends a message to everyone, or privately to `to`. */
  async send(text: string, to?: string): Promise<void> {
    await this.page.selectOption('#target', to ?? '*');
    await this.page.fill('#message', text);
    await this.page.press('#message', 'Enter');
  }

  /** The message whose text is exactly `text`. */
  message(text: string): Locator {
    return this.page.locator('#messages li.msg').filter({ has: this.page.locator('.text', { hasText: exactly(text) }) });
  }

  notice(text: string | RegExp): Locator {
    return this.page.locator('#messages li.notice', { hasText: text });
  }

  /** Waits until the user list shows exactly `names`, in order. */
  async waitForUsers(names: readonly string[]): Promise<void> {
    const want = JSON.stringify(names);
    let shown = '';
    await waitUntil(
      async () => (shown = JSON.stringify(await this.users())) === want,
      UI_TIMEOUT_MS,
      `user list ${want}`,
      () => `it shows ${shown}`,
      50,
    );
  }

  users(): Promise<string[]> {
    return this.page.locator('#users .name').allTextContents();
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, name);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await (this.tabOnly ? this.page.close() : this.context.close());
  }
}

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}
