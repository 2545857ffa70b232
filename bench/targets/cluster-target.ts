import type { MetricsSnapshot } from '../../game-server/admin/admin-messages';
import { askMetrics } from '../../game-server/admin/admin-client';
import { PrivatePm2Cluster } from '../../game-server/cli/private-pm2-cluster';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCerts } from '../../game-server/cli/make-certs';
import { PrivateRedisSentinel } from '../../game-server/cli/private-redis-sentinel';
import { PrivateRedisServer } from '../../game-server/cli/private-redis-server';
import { loadRuntimeSettings } from '../../game-server/settings';
import { clusterTraffic, type InternalTraffic } from './internal-traffic';
import type { ServerProcess, Target } from './target';

const METRICS_TIMEOUT_MS = 5000;

export interface ClusterLayout {
  connectors: number;
  chats: number;
  /**
   * Where room logs live (HISTORY_STORE); `redis` starts a redis-server of the bench's own, `sentinel` a
   * primary, two replicas and three Sentinels (each append confirmed by both replicas: REDIS_MIN_REPLICAS=2).
   */
  store: 'memory' | 'redis' | 'sentinel';
}

/** The real cluster, `pm2 start ecosystem.config.js` under a private PM2_HOME on free ports. */
export class ClusterTarget implements Target {
  private readonly pids = new Set<number>();

  private constructor(
    readonly name: 'cluster' | 'cluster-redis' | 'cluster-sentinel' | 'cluster-tls',
    private readonly cluster: PrivatePm2Cluster,
    private readonly redis?: PrivateRedisServer | PrivateRedisSentinel,
    private readonly certsDir?: string,
  ) {}

  /**
   * The cluster on `store`; named `cluster-redis` when it runs beside the cluster on the memory store, and
   * `cluster-tls` with mutual TLS on every internal link (certificates made for the run, as `npm run certs` does).
   */
  static async start(
    { store, ...layout }: ClusterLayout,
    env: Record<string, string>,
    name: ClusterTarget['name'] = 'cluster',
  ): Promise<ClusterTarget> {
    const redis =
      store === 'redis' ? await PrivateRedisServer.start() : store === 'sentinel' ? await PrivateRedisSentinel.start() : undefined;
    const certsDir = name === 'cluster-tls' ? mkdtempSync(path.join(os.tmpdir(), 'bench-certs-')) : undefined;
    try {
      const storeEnv = {
        HISTORY_STORE: store === 'memory' ? 'memory' : 'redis',
        ...(redis && { REDIS_URL: redis.url }),
        ...(redis instanceof PrivateRedisSentinel && { REDIS_MIN_REPLICAS: String(redis.replicasPerPrimary) }),
      };
      const tlsEnv = certsDir ? await tlsSettings(certsDir) : {};
      const cluster = await PrivatePm2Cluster.start({ ...layout, env: { ...env, ...storeEnv, ...tlsEnv } });
      const target = new ClusterTarget(name, cluster, redis, certsDir);
      for (const pid of redis ? redisPids(redis) : []) target.pids.add(pid);
      await target.processes();
      return target;
    } catch (err) {
      await redis?.stop();
      if (certsDir) rmSync(certsDir, { recursive: true, force: true });
      throw err;
    }
  }

  get gate(): { host: string; port: number } {
    return this.cluster.gate;
  }

  async processes(): Promise<ServerProcess[]> {
    const daemon = this.cluster.daemonPid();
    if (daemon !== undefined) this.pids.add(daemon);
    const list = await this.cluster.list();
    const servers = this.cluster.servers.flatMap((server) => {
      const pid = list.find((p) => p.name === server.id)?.pid;
      if (!pid) return [];
      this.pids.add(pid);
      return [{ name: server.id, role: server.serverType, pid, ...(server.clientPort !== undefined && { clientPort: server.clientPort }) }];
    });
    // The store's own processes do part of every send's work: their CPU counts as the servers'.
    const pids = this.redis ? redisPids(this.redis) : [];
    const stores = pids.map((pid, i) => ({ name: pids.length === 1 ? 'redis-server' : `redis-${i + 1}`, role: 'redis', pid }));
    return [...servers, ...stores];
  }

  /** Internal traffic so far, from every server's own counters (asked on its RPC port, as /metrics does). */
  async internalTraffic(): Promise<InternalTraffic> {
    return clusterTraffic([...(await this.metrics()).values()]);
  }

  /** Every server's metrics (or only those `names` lists), by server id (asked on its RPC port, as /metrics does). */
  async metrics(names?: string[]): Promise<Map<string, MetricsSnapshot>> {
    const { servers } = this.cluster;
    // The cluster's own RPC_SECRET and, when its links are mutual TLS (RPC_TLS_*), its certificate.
    const { RPC_SECRET: secret, rpcTls: tls } = loadRuntimeSettings(this.cluster.env);
    const options = { secret, tls, timeoutMs: METRICS_TIMEOUT_MS, name: 'bench', servers };
    const answers = await Promise.all(servers.map((server) => askMetrics(server, options, names && { names })));
    const missing = answers.filter((a) => !a.ok).map((a) => a.server.id);
    if (missing.length > 0) throw new Error(`no metrics from ${missing.join(', ')}`);
    return new Map(answers.flatMap((a) => (a.ok ? [[a.server.id, a.value] as const] : [])));
  }

  startedPids(): number[] {
    return [...this.pids];
  }

  async stop(): Promise<void> {
    await this.cluster.stop();
    await this.redis?.stop();
    if (this.certsDir) rmSync(this.certsDir, { recursive: true, force: true });
  }
}

/** RPC_TLS_* for one host, 127.0.0.1, signed by a CA made in `dir`. */
async function tlsSettings(dir: string): Promise<Record<string, string>> {
  const { ca, hosts } = await makeCerts({ out: dir, hosts: ['127.0.0.1'] });
  return { RPC_TLS_CERT: hosts[0]!.cert, RPC_TLS_KEY: hosts[0]!.key, RPC_TLS_CA: ca };
}

const redisPids = (redis: PrivateRedisServer | PrivateRedisSentinel): number[] =>
  redis instanceof PrivateRedisSentinel ? redis.pids : redis.pid === undefined ? [] : [redis.pid];
