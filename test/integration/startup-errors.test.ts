import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChatClient, closeAllSockets, connect, queryEntry, request } from '../helpers/chat-client';
import { PROJECT_ROOT, SERVER_ENTRY, TestCluster, WEB_ENTRY } from '../helpers/cluster';
import { PrivatePm2Cluster } from '../../game-server/cli/private-pm2-cluster';
import { runProcess } from '../helpers/status-cli';
import { TUTORIAL_SERVERS_FILE } from '../helpers/tutorial-servers';
import { Route } from '../../app/protocol';

interface Exit {
  code: number | null;
  stderr: string;
}

function runServer(args: string[], env: Record<string, string>, entry = SERVER_ENTRY): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [entry, ...args],
      { env: { ...process.env, NODE_ENV: 'development', ...env }, timeout: 15_000 },
      (err, _stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr });
      },
    );
  });
}

describe('a server with a bad config stops with one clear message (exit 78, which pm2 does not restart)', () => {
  // Made in beforeAll, not when jest reads the file: a run that skips these tests (-t) leaves no folder behind.
  let dir: string;
  let file: string;
  const write = (raw: unknown): void => writeFileSync(file, JSON.stringify(raw));
  const chat = { id: 'chat-server-1', host: '127.0.0.1', port: 6050 };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'chat-config-'));
    file = path.join(dir, 'servers.json');
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names the unknown server id and the ids that exist', async () => {
    write({ development: { chat: [chat] } });
    const exit = await runServer(['--id', 'chat-server-9'], { SERVERS_CONFIG: file });
    expect(exit.code).toBe(78);
    expect(exit.stderr.trim()).toBe(
      `config error: ${file}: development: unknown server id "chat-server-9" (ids in development: chat-server-1)`,
    );
  });

  it('names the file and field of a duplicate port', async () => {
    write({ development: { chat: [chat, { ...chat, id: 'chat-server-2' }] } });
    const exit = await runServer(['--id', 'chat-server-1'], { SERVERS_CONFIG: file });
    expect(exit.code).toBe(78);
    expect(exit.stderr).toContain(`${file}: development.chat[1].port: duplicate port 127.0.0.1:6050`);
  });

  it('names an unknown environment', async () => {
    write({ development: { chat: [chat] } });
    const exit = await runServer(['--id', 'chat-server-1'], { SERVERS_CONFIG: file, NODE_ENV: 'staging' });
    expect(exit.code).toBe(78);
    expect(exit.stderr).toContain('staging: unknown environment "staging"');
  });

  it('names a bad setting in the environment', async () => {
    write({ development: { chat: [chat] } });
    const exit = await runServer(['--id', 'chat-server-1'], { SERVERS_CONFIG: file, RPC_TIMEOUT_MS: 'soon' });
    expect(exit.code).toBe(78);
    expect(exit.stderr).toContain('.env: RPC_TIMEOUT_MS:');
  });

  it('refuses the default RPC secret in production', async () => {
    write({ production: { chat: [chat] } });
    const exit = await runServer(['--id', 'chat-server-1'], { SERVERS_CONFIG: file, NODE_ENV: 'production', RPC_SECRET: '' });
    expect(exit.code).toBe(78);
    expect(exit.stderr).toContain('.env: RPC_SECRET: set a secret of your own in production');
  });

  it('refuses an AUTH_SECRET too short to sign with', async () => {
    write({ development: { chat: [chat] } });
    const exit = await runServer(['--id', 'chat-server-1'], { SERVERS_CONFIG: file, AUTH_SECRET: 'short' });
    expect(exit.code).toBe(78);
    expect(exit.stderr.trim()).toBe('config error: .env: AUTH_SECRET: AUTH_SECRET must be at least 32 characters');
  });

  it('the web server refuses development sign-in in production, and a short API_KEY', async () => {
    const env = { SERVERS_CONFIG: file, DOTENV_PATH: path.join(dir, '.env'), WEB_PORT: '1' };
    const devLogin = await runServer([], { ...env, NODE_ENV: 'production', RPC_SECRET: 'x', AUTH_DEV_LOGIN: '1' }, WEB_ENTRY);
    expect(devLogin.code).toBe(78);
    expect(devLogin.stderr).toContain('.env: AUTH_DEV_LOGIN: not allowed in production (it issues a token for any name)');
    const shortKey = await runServer([], { ...env, API_KEY: 'abc' }, WEB_ENTRY);
    expect(shortKey.code).toBe(78);
    expect(shortKey.stderr).toContain('.env: API_KEY: API_KEY must be at least 16 characters');
  });
});

describe('a bad config, whatever starts the cluster: one line naming the file and the field, a non-zero exit, no stack, nothing started', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chat-start-'));
  const file = path.join(dir, 'servers.json');
  const tutorial = readFileSync(TUTORIAL_SERVERS_FILE, 'utf8');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    SERVERS_CONFIG: file,
    DOTENV_PATH: path.join(dir, '.env'),
    // pm2 start spawns its daemon before it reads ecosystem.config.js: a private one, killed in afterAll.
    PM2_HOME: path.join(dir, 'pm2'),
    npm_config_update_notifier: 'false',
  };
  const pm2 = new PrivatePm2Cluster(dir, [], env);
  // The tutorial's servers.json with chat-server-2 on chat-server-1's port.
  const duplicate = tutorial.replace('"port":6051', '"port":6050');
  const duplicateLine = `config error: ${file}: development.chat[1].port: duplicate port 127.0.0.1:6050 (also at development.chat[0].port)\n`;

  afterAll(() => pm2.stop());

  it('npm start with a duplicate port: the one line, and pm2 is never started', async () => {
    writeFileSync(file, duplicate);
    const run = await runProcess('npm', ['start'], env, 60_000);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 78, stderr: duplicateLine });
    expect(run.stdout).not.toMatch(/PM2|malformated|\n\s+at /);
    expect(existsSync(path.join(dir, 'pm2', 'pm2.pid'))).toBe(false);
  });

  it('pm2 start ecosystem.config.js with a duplicate port: the same line, not pm2\'s "malformated" and a stack trace', async () => {
    writeFileSync(file, duplicate);
    const run = await runProcess(process.execPath, [require.resolve('pm2/bin/pm2'), 'start', 'ecosystem.config.js'], env, 60_000);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 78, stderr: duplicateLine });
    expect(run.stdout).not.toMatch(/malformated|ERROR|\n\s+at /);
    expect(await pm2.list()).toEqual([]);
  });

  it('a connector without a port: it names the field and why it needs one, before npm start or npm run scale start anything', async () => {
    writeFileSync(file, tutorial.replace('"port":4051, ', ''));
    const line =
      `config error: ${file}: development.connector[1].port: server "connector-server-2" needs a port (its internal RPC port): ` +
      'chat servers push messages to its users there\n';
    const check = await runProcess(process.execPath, [path.join(PROJECT_ROOT, 'ecosystem.config.js')], env);
    expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 78, stderr: line });
    const scale = await runProcess(process.execPath, [path.join(PROJECT_ROOT, 'dist/game-server/cli/scale.js')], env);
    expect({ code: scale.code, stderr: scale.stderr }).toEqual({ code: 1, stderr: line });
    expect(await pm2.list()).toEqual([]);
  });

  it('a bad setting in the environment is caught before pm2 too', async () => {
    writeFileSync(file, tutorial);
    const run = await runProcess(process.execPath, [path.join(PROJECT_ROOT, 'ecosystem.config.js')], { ...env, RPC_TIMEOUT_MS: 'soon' });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/^config error: \.env: RPC_TIMEOUT_MS: [^\n]+\n$/);
  });
});

describe('a cluster without chat servers', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ connectors: 1, chats: 0 });
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  it('answers enter with 503 and keeps running', async () => {
    await expect(ChatClient.enter(cluster.gate, 'alice', 'lobby')).rejects.toThrow(/"code":503/);
    const entry = await queryEntry(cluster.gate, 'bob');
    expect(entry.code).toBe(200);
    if (entry.code !== 200) return;
    const socket = await connect(entry.host, entry.port);
    expect(await request(socket, Route.enter, { username: 'bob', rid: 'lobby' })).toEqual({
      code: 503,
      error: 'no chat server is available',
    });
    expect(cluster.isRunning('connector-server-1')).toBe(true);
  });
});
