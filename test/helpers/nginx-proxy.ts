/**
 * docs/reverse-proxy.md's nginx config, as written there (docs/reverse-proxy/chat.conf with its {{...}} filled
 * in), in front of a real cluster with web server: TLS for clients on nginx's ports, the gate sending clients to
 * nginx's connector ports. nginx runs in the foreground from a temporary folder; `stop` ends it and the cluster.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, TestCluster } from './cluster';
import { freePorts, waitForPort } from './free-port';
import { makeCerts } from './rpc-certs';

export const NGINX_TEMPLATE = path.join(PROJECT_ROOT, 'docs/reverse-proxy/chat.conf');
const HOST = '127.0.0.1';
const NGINX_START_MS = 15_000;
/** The template's connectors (CONNECTOR_1..3). */
const CONNECTOR_IDS = ['connector-server-1', 'connector-server-2', 'connector-server-3'];

/** The site file with every {{NAME}} filled in; throws when one is left, so the template and the tests agree. */
function fillTemplate(template: string, values: Record<string, string>): string {
  const filled = template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (all, name: string) => values[name] ?? all);
  const left = filled.match(/\{\{[A-Z0-9_]+\}\}/g);
  if (left) throw new Error(`no value for ${[...new Set(left)].join(', ')} in ${NGINX_TEMPLATE}`);
  return filled;
}

/** nginx's main config for a test: every path it writes under `dir`, the site file included in http {}. */
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

export class ProxiedCluster {
  private nginx?: ChildProcess;
  private output = '';
  cluster?: TestCluster;
  /** The test CA's certificate (PEM): nginx's certificate is signed by it. */
  ca = '';
  /** nginx's own certificate (PEM). */
  cert = '';
  /** nginx's public port for the web server and the gate. */
  publicPort = 0;
  /** nginx's port for each connector, in CONNECTOR_IDS order. */
  connectorPorts: number[] = [];
  readonly host = HOST;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'reverse-proxy-'));

  /** The page's address through nginx. */
  get url(): string {
    return `https://${HOST}:${this.publicPort}/`;
  }

  static async start(): Promise<ProxiedCluster> {
    const proxied = new ProxiedCluster();
    try {
      await proxied.launch();
    } catch (err) {
      await proxied.stop();
      throw err;
    }
    return proxied;
  }

  private async launch(): Promise<void> {
    const { dir } = this;
    const binary = nginxBinary();
    const certs = (await makeCerts(path.join(dir, 'certs'), [HOST])).get(HOST)!;
    this.ca = readFileSync(certs.RPC_TLS_CA, 'utf8');
    this.cert = readFileSync(certs.RPC_TLS_CERT, 'utf8');
    [this.publicPort, ...this.connectorPorts] = (await freePorts(4, HOST)) as [number, ...number[]];
    const cluster = await TestCluster.start({
      web: true,
      publicUrl: (server) => {
        if (server.serverType === 'gate') return `wss://${HOST}:${this.publicPort}`;
        return `wss://${HOST}:${this.connectorPorts[CONNECTOR_IDS.indexOf(server.id)]}`;
      },
    });
    this.cluster = cluster;
    const upstream = (id: string): string => `${HOST}:${cluster.server(id).clientPort}`;
    const site = path.join(dir, 'chat.conf');
    writeFileSync(
      site,
      fillTemplate(readFileSync(NGINX_TEMPLATE, 'utf8'), {
        CERT: certs.RPC_TLS_CERT,
        KEY: certs.RPC_TLS_KEY,
        SERVER_NAME: HOST,
        LISTEN: `${HOST}:${this.publicPort}`,
        GATE: upstream('gate-server-1'),
        WEB: `${HOST}:${cluster.webPort}`,
        ...Object.fromEntries(
          CONNECTOR_IDS.flatMap((id, i) => [
            [`CONNECTOR_${i + 1}_LISTEN`, `${HOST}:${this.connectorPorts[i]}`],
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
    this.nginx = child;
    child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const alive = (): boolean => child.exitCode === null && child.signalCode === null;
    try {
      for (const port of [this.publicPort, ...this.connectorPorts]) await waitForPort(HOST, port, NGINX_START_MS, alive);
    } catch (err) {
      throw new Error(`nginx did not start: ${(err as Error).message}\n${this.output}`);
    }
  }

  async stop(): Promise<void> {
    const child = this.nginx;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await this.cluster?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
