/**
 * docs/reverse-proxy.md's nginx config, as written there, in front of a real cluster: clients speak only TLS to
 * nginx (the page, /config.json, the gate, the connectors), and the gate sends them to nginx's ports.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import os from 'node:os';
import path from 'node:path';
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
import { PROJECT_ROOT, TestCluster } from '../helpers/cluster';
import { freePorts, waitForPort } from '../helpers/free-port';
import { makeCerts } from '../helpers/rpc-certs';

type WssSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const TEMPLATE = path.join(PROJECT_ROOT, 'docs/reverse-proxy/chat.conf');
const DOC = path.join(PROJECT_ROOT, 'docs/reverse-proxy.md');
const HOST = '127.0.0.1';
const NGINX_START_MS = 15_000;

/** The site file with every {{NAME}} filled in; throws when one is left, so the template and the test agree. */
function fillTemplate(template: string, values: Record<string, string>): string {
  const filled = template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (all, name: string) => values[name] ?? all);
  const left = filled.match(/\{\{[A-Z0-9_]+\}\}/g);
  if (left) throw new Error(`no value for ${[...new Set(left)].join(', ')} in ${TEMPLATE}`);
  return filled;
}

/** nginx's main config for the test: every path it writes under `dir`, the site file included in http {}. */
function mainConfig(dir: string, site: string): string {
  return [
    'worker_processes 1;',
    `error_log ${dir}/error.log;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${dir}/access.log;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${dir}/${kind}_temp;`),
    `  include ${site};`,
    '}',
    '',
  ].join('\n');
}

function nginxBinary(): string {
  // Where scripts/system-deps.sh looks for it.
  for (const candidate of [process.env.NGINX_PATH ?? '/usr/sbin/nginx', '/usr/bin/nginx']) {
    if (spawnSync(candidate, ['-v']).status === 0) return candidate;
  }
  throw new Error('nginx is not installed: run sh scripts/system-deps.sh (as root it installs it)');
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
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reverse-proxy-'));
  const sockets: WssSocket[] = [];
  let cluster: TestCluster | undefined;
  let nginx: ChildProcess | undefined;
  let nginxOutput = '';
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
    const binary = nginxBinary();
    const certs = (await makeCerts(path.join(dir, 'certs'), [HOST])).get(HOST)!;
    ca = readFileSync(certs.RPC_TLS_CA, 'utf8');
    [publicPort, ...connectorPorts] = (await freePorts(4, HOST)) as [number, ...number[]];
    const connectorIds = ['connector-server-1', 'connector-server-2', 'connector-server-3'];
    cluster = await TestCluster.start({
      web: true,
      publicUrl: (server) => {
        if (server.serverType === 'gate') return `wss://${HOST}:${publicPort}`;
        return `wss://${HOST}:${connectorPorts[connectorIds.indexOf(server.id)]}`;
      },
    });
    const upstream = (id: string): string => `${HOST}:${cluster!.server(id).clientPort}`;
    const site = path.join(dir, 'chat.conf');
    writeFileSync(
      site,
      fillTemplate(readFileSync(TEMPLATE, 'utf8'), {
        CERT: certs.RPC_TLS_CERT,
        KEY: certs.RPC_TLS_KEY,
        SERVER_NAME: HOST,
        LISTEN: `${HOST}:${publicPort}`,
        GATE: upstream('gate-server-1'),
        WEB: `${HOST}:${cluster.webPort}`,
        ...Object.fromEntries(
          connectorIds.flatMap((id, i) => [
            [`CONNECTOR_${i + 1}_LISTEN`, `${HOST}:${connectorPorts[i]}`],
            [`CONNECTOR_${i + 1}`, upstream(id)],
          ]),
        ),
      }),
    );
    const main = path.join(dir, 'nginx.conf');
    writeFileSync(main, mainConfig(dir, site));
    // -e: the error log from the first line on (Debian's build would open /var/log/nginx/error.log before the config).
    const args = ['-e', path.join(dir, 'error.log'), '-p', `${dir}/`, '-c', main, '-g', `daemon off; pid ${dir}/nginx.pid;`];
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx = child;
    child.stdout.on('data', (chunk: Buffer) => (nginxOutput += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (nginxOutput += chunk.toString()));
    const alive = (): boolean => child.exitCode === null && child.signalCode === null;
    try {
      for (const port of [publicPort, ...connectorPorts]) await waitForPort(HOST, port, NGINX_START_MS, alive);
    } catch (err) {
      throw new Error(`nginx did not start: ${(err as Error).message}\n${nginxOutput}`);
    }
  }, 90_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    const child = nginx;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('shows in docs/reverse-proxy.md exactly the config file it tests', () => {
    const doc = readFileSync(DOC, 'utf8');
    const block = /^```nginx\n([\s\S]*?)^```$/m.exec(doc)?.[1];
    expect(block).toBe(readFileSync(TEMPLATE, 'utf8'));
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
});
