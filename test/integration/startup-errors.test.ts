import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChatClient, closeAllSockets, connect, queryEntry, request } from '../helpers/chat-client';
import { SERVER_ENTRY, TestCluster } from '../helpers/cluster';
import { Route } from '../../app/protocol';

interface Exit {
  code: number | null;
  stderr: string;
}

function runServer(args: string[], env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SERVER_ENTRY, ...args],
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
