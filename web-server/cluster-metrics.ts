/**
 * The cluster's one Prometheus endpoint: every server's own metrics, asked over the authenticated
 * internal RPC port (`__system.metrics`) at scrape time and merged into one exposition in which each
 * series carries its `server` and `server_type` labels. Mount `clusterMetricsHandler()` on GET /metrics;
 * `node dist/web-server/cluster-metrics.js` prints one scrape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AggregatorRegistry, Gauge, prometheusContentType, Registry } from 'prom-client';
import { askMetrics } from '../game-server/admin/admin-client';
import type { MetricsSnapshot } from '../game-server/admin/admin-messages';
import { environmentName, loadServersConfig, serversConfigPath } from '../game-server/config/load-servers-config';
import type { ServerInfo } from '../game-server/config/server-info';
import type { RpcTls } from '../game-server/rpc/rpc-tls';
import { loadDotenv, loadRuntimeSettings } from '../game-server/settings';

export interface ClusterMetricsOptions {
  /** The servers to ask; default: config/servers.json (SERVERS_CONFIG, NODE_ENV) read at each scrape, so a scale-out shows at once. */
  servers?: readonly ServerInfo[];
  /** RPC_SECRET; default: from the environment and .env. */
  secret?: string;
  /** RPC_TLS_*, read with `secret`: given a secret, no `tls` means plain ws; else from the environment and .env. */
  tls?: RpcTls;
  /** Each server gets this long to answer; then its series are missing and `cluster_server_up` says 0. */
  timeoutMs?: number;
}

export const METRICS_CONTENT_TYPE = prometheusContentType;
// A busy server answers late but is up; a stopped one refuses at once. Below Prometheus's default 10 s scrape timeout.
const DEFAULT_TIMEOUT_MS = 5000;

/** One scrape of the whole cluster, as Prometheus text. Never waits much longer than `timeoutMs`. */
export async function collectClusterMetrics(options: ClusterMetricsOptions = {}): Promise<string> {
  const { servers, secret, tls } = resolveOptions(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const answers = await Promise.all(
    servers.map((server) => askMetrics(server, { secret, tls, timeoutMs, name: 'cluster-metrics', servers })),
  );

  const own = new Registry();
  const up = new Gauge({
    name: 'cluster_server_up',
    help: '1 if the server answered this scrape with its metrics, else 0 (down, or refused our RPC_SECRET)',
    labelNames: ['server', 'server_type'],
    registers: [own],
  });
  const took = new Gauge({
    name: 'cluster_scrape_duration_seconds',
    help: 'How long the server took to answer this scrape (or to fail)',
    labelNames: ['server', 'server_type'],
    registers: [own],
  });
  for (const answer of answers) {
    const labels = { server: answer.server.id, server_type: answer.server.serverType };
    up.set(labels, answer.ok ? 1 : 0);
    took.set(labels, answer.ms / 1000);
  }
  const snapshots = [await own.getMetricsAsJSON(), ...answers.flatMap((a) => (a.ok ? [a.value] : []))];
  return mergeSnapshots(snapshots).metrics();
}

/**
 * One registry holding every server's series, each metric family once. The series of different
 * servers never share a label set (each has its own `server` label), so nothing is summed; "first"
 * keeps every value as it came, where prom-client's per-metric aggregators would average the
 * event-loop lag or drop process_start_time_seconds.
 */
export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): Registry {
  return AggregatorRegistry.aggregate(
    snapshots.map((snapshot) =>
      snapshot.map((metric) => ({
        ...metric,
        aggregator: 'first',
        // NaN and infinities travel through JSON as null.
        values: metric.values.map((v) => ({ ...v, value: typeof v.value === 'number' ? v.value : NaN })),
      })),
    ),
  );
}

/** A request handler for GET /metrics: 200 with the cluster's metrics, or 500 saying why not. */
export function clusterMetricsHandler(options: ClusterMetricsOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    collectClusterMetrics(options).then(
      (text) => res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE }).end(text),
      (err: unknown) =>
        res
          .writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
          .end(`cannot collect the cluster's metrics: ${err instanceof Error ? err.message : String(err)}\n`),
    );
  };
}

function resolveOptions(options: ClusterMetricsOptions): { servers: readonly ServerInfo[]; secret: string; tls?: RpcTls } {
  if (options.servers && options.secret !== undefined) return { servers: options.servers, secret: options.secret, tls: options.tls };
  loadDotenv();
  const settings = options.secret === undefined ? loadRuntimeSettings() : undefined;
  return {
    servers: options.servers ?? [...loadServersConfig(serversConfigPath(), environmentName()).values()].flat(),
    secret: options.secret ?? settings!.RPC_SECRET,
    tls: settings ? settings.rpcTls : options.tls,
  };
}

if (require.main === module) {
  collectClusterMetrics().then(
    (text) => process.stdout.write(text),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
