import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, START_TIMEOUT_MS, WEB_ENTRY } from '../helpers/cluster';
import { freePorts, waitForPort } from '../helpers/free-port';
import { generateLayout, serversJson } from '../../game-server/config/servers-layout';
import { waitForOutput } from '../helpers/wait';

/** A raw GET: the path goes on the wire as written (fetch and URL would fold `..` away first). */
function get(port: number, rawPath: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${rawPath}: no answer within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

describe('the web server (node dist/web-server/main.js)', () => {
  let dir: string;
  let port: number;
  let child: ChildProcess;
  let output = '';
  let gate: { host: string; port: number };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'chat-web-'));
    const servers = await generateLayout({ connectors: 2, chats: 1 });
    const gateInfo = servers.find((s) => s.serverType === 'gate')!;
    gate = { host: gateInfo.host, port: gateInfo.clientPort! };
    writeFileSync(path.join(dir, 'servers.json'), serversJson(servers));
    [port] = (await freePorts(1)) as [number];
    child = spawn(process.execPath, [WEB_ENTRY], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        SERVERS_CONFIG: path.join(dir, 'servers.json'),
        DOTENV_PATH: path.join(dir, '.env'),
        WEB_HOST: '127.0.0.1',
        WEB_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForPort('127.0.0.1', port, START_TIMEOUT_MS, () => child.exitCode === null).catch((err: Error) => {
      throw new Error(`${err.message}\n${output}`);
    });
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('logs one line with the URL to open', async () => {
    // The port accepts connections a moment before the line reaches us through the pipe.
    const url = `http://127.0.0.1:${port}/`;
    await waitForOutput(child, () => output, url);
    expect(output.split('\n').filter((line) => line.includes(url))).toHaveLength(1);
  });

  it('serves the client page at /', async () => {
    const res = await get(port, '/');
    expect(res).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(res.body).toContain('<script src="app.js"');
    expect((await get(port, '/app.js')).status).toBe(200);
    expect((await get(port, '/style.css')).type).toBe('text/css; charset=utf-8');
  });

  it("answers /config.json with the gate's host and client port from servers.json", async () => {
    const res = await get(port, '/config.json');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ gate });
  });

  it("wires /metrics to the cluster's metrics (here every server is down, and says so)", async () => {
    const res = await get(port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.body).toContain('cluster_server_up{server="gate-server-1",server_type="gate"} 0');
  });

  it("serves the pages' icon, also at /favicon.ico where browsers look for it unasked", async () => {
    const icon = await get(port, '/favicon.svg');
    expect(icon).toMatchObject({ status: 200, type: 'image/svg+xml' });
    expect(icon.body).toContain('<svg');
    expect(await get(port, '/favicon.ico')).toEqual(icon);
    for (const page of ['/', '/admin']) expect((await get(port, page)).body).toContain('<link rel="icon" href="favicon.svg"');
  });

  it('answers 404 for an unknown path', async () => {
    expect((await get(port, '/nope.html')).status).toBe(404);
    expect((await get(port, '/public/')).status).toBe(404);
  });

  it.each(['/../package.json', '/../../package.json', '/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/..\\..\\package.json'])(
    'refuses to climb out of the client folder: %s',
    async (rawPath) => {
      const res = await get(port, rawPath);
      expect([400, 404]).toContain(res.status);
      expect(res.body).not.toContain('chatofpomelo-cluster');
    },
  );

  it('stops cleanly on SIGTERM', async () => {
    // 'close', not 'exit': only then has everything the process wrote come out of its pipes.
    const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    expect(output).toContain('stopped');
  });
});
