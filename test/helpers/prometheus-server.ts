/** A real Prometheus (Debian's `prometheus` on the PATH) for a test, run with the scrape config of docs/monitoring/. */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from './free-port';
import { PROJECT_ROOT } from './cluster';
import { waitUntil } from './wait';

export const MONITORING_DIR = path.join(PROJECT_ROOT, 'docs/monitoring');
/** The web server's address in docs/monitoring/prometheus.yml (WEB_HOST:WEB_PORT's defaults). */
export const DOCS_TARGET = '127.0.0.1:3001';
const LOG_LINES_KEPT = 40;

// If the test process dies without afterAll, Prometheus does not outlive it.
const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of everyChild) child.kill('SIGKILL');
});

/** One sample of an instant vector from /api/v1/query. */
export interface VectorSample {
  metric: Record<string, string>;
  value: number;
}

/**
 * docs/monitoring/prometheus.yml for another web server address and another scrape interval, and nothing
 * else changed. Each replaced line must be there exactly once, so a docs config that moved on fails here
 * rather than leaving a test of a config nobody ships.
 */
export function scrapeConfigFor(target: string, interval: string): string {
  let config = readFileSync(path.join(MONITORING_DIR, 'prometheus.yml'), 'utf8');
  const replace = (from: string, to: string): void => {
    const parts = config.split(from);
    if (parts.length !== 2)
      throw new Error(`docs/monitoring/prometheus.yml has ${parts.length - 1} times ${JSON.stringify(from)}, not once`);
    config = parts.join(to);
  };
  replace(`'${DOCS_TARGET}'`, `'${target}'`);
  replace('scrape_interval: 15s', `scrape_interval: ${interval}`);
  replace('evaluation_interval: 15s', `evaluation_interval: ${interval}`);
  // A scrape may not take longer than the interval between two.
  replace('scrape_timeout: 10s', `scrape_timeout: ${interval}`);
  return config;
}

const NOT_METRICS = new Set(['and', 'or', 'unless', 'bool', 'offset']);

/**
 * The metric names a PromQL expression reads (the plain expressions of our alerts and dashboard: no
 * subqueries or `@`), found by dropping strings, label matchers, ranges and label lists, then functions.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]!);
  return [...new Set(names.filter((name) => !NOT_METRICS.has(name)))];
}

/** The `expr:` of each rule in docs/monitoring/alerts.yml (each on one line there). */
export function alertExpressions(): string[] {
  const rules = readFileSync(path.join(MONITORING_DIR, 'alerts.yml'), 'utf8');
  return [...rules.matchAll(/^\s*expr:\s*(.+)$/gm)].map((m) => m[1]!.trim());
}

/** The PromQL of every panel of docs/monitoring/grafana-dashboard.json, with Grafana's variables as given. */
export function dashboardExpressions(variables: Record<string, string>): string[] {
  const dashboard = JSON.parse(readFileSync(path.join(MONITORING_DIR, 'grafana-dashboard.json'), 'utf8')) as {
    panels: { targets?: { expr: string }[] }[];
  };
  return dashboard.panels
    .flatMap((panel) => panel.targets ?? [])
    .map((target) => target.expr.replace(/\$(\w+)/g, (variable, name: string) => variables[name] ?? variable));
}

export class PrometheusServer {
  private readonly log: string[] = [];

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  /**
   * Starts Prometheus on a free port of 127.0.0.1 with `config` (and docs/monitoring/alerts.yml next to it,
   * which the config names) and a storage folder of its own, and resolves once it is ready to serve queries.
   */
  static async start(config: string, timeoutMs = 30_000): Promise<PrometheusServer> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prometheus-'));
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
    copyFileSync(path.join(MONITORING_DIR, 'alerts.yml'), path.join(dir, 'alerts.yml'));
    const [port] = await freePorts(1);
    const child = spawn(
      'prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    everyChild.add(child);
    child.once('exit', () => everyChild.delete(child));
    const server = new PrometheusServer(dir, port!, child);
    const keep = (chunk: Buffer): void => {
      server.log.push(...chunk.toString().split('\n').filter(Boolean));
      if (server.log.length > LOG_LINES_KEPT) server.log.splice(0, server.log.length - LOG_LINES_KEPT);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    try {
      await waitUntil(
        async () => {
          if (child.exitCode !== null || child.signalCode !== null)
            throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode})`);
          return (await fetch(`${server.url}/-/ready`).catch(() => undefined))?.status === 200;
        },
        timeoutMs,
        'prometheus was not ready',
        undefined,
        100,
      );
    } catch (err) {
      await server.stop();
      throw new Error(`${(err as Error).message}\n${server.recentLog()}`);
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** An instant query over the HTTP API (/api/v1/query); throws unless it answers a vector. */
  async query(promql: string): Promise<VectorSample[]> {
    const res = await fetch(`${this.url}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success' || body.data?.resultType !== 'vector') {
      throw new Error(`query ${promql}: ${res.status} ${body.error ?? JSON.stringify(body.data?.resultType)}`);
    }
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** Every metric name Prometheus has series of. */
  async metricNames(): Promise<string[]> {
    const res = await fetch(`${this.url}/api/v1/label/__name__/values`);
    return ((await res.json()) as { data: string[] }).data;
  }

  /** The names of the alerting rules Prometheus loaded. */
  async alertNames(): Promise<string[]> {
    const res = await fetch(`${this.url}/api/v1/rules?type=alert`);
    const body = (await res.json()) as { data: { groups: { rules: { name: string }[] }[] } };
    return body.data.groups.flatMap((g) => g.rules.map((r) => r.name));
  }

  recentLog(): string {
    return `--- prometheus\n${this.log.join('\n')}`;
  }

  /** Stops Prometheus (SIGKILL after `timeoutMs`) and removes its folder and data. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const { child } = this;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
