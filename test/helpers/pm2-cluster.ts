import { PrivatePm2Cluster, type PrivateClusterOptions } from '../../game-server/cli/private-pm2-cluster';
import { PrivateRedisServer } from '../../game-server/cli/private-redis-server';
import { waitForPort } from './free-port';
import { listeningPort } from '../../game-server/config/server-info';
import { sleep } from '../../game-server/sleep';

export type { Pm2Process } from '../../game-server/cli/private-pm2-cluster';

/** The private pm2 cluster (see PrivatePm2Cluster) with what the tests also do to it: wait for a restart, a full restart, logs. */
export class Pm2Cluster extends PrivatePm2Cluster {
  /** The redis-server of a cluster started on the Redis room log; stopped with the cluster. */
  redis?: PrivateRedisServer;

  /** A cluster whose room logs live in `store`; for `redis`, a redis-server of its own. */
  static async startOn(store: 'memory' | 'redis', options: PrivateClusterOptions = {}): Promise<Pm2Cluster> {
    const redis = store === 'redis' ? await PrivateRedisServer.start() : undefined;
    try {
      const env = { ...options.env, HISTORY_STORE: store, ...(redis && { REDIS_URL: redis.url }) };
      const cluster = await Pm2Cluster.start({ ...options, env });
      cluster.redis = redis;
      return cluster;
    } catch (err) {
      await redis?.stop();
      throw err;
    }
  }

  /** Resolves with the new pid once pm2 has `id` online again with a pid other than `oldPid`. */
  async waitForRestart(id: string, oldPid: number, timeoutMs = 15_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const proc = (await this.list()).find((p) => p.name === id);
      if (proc && proc.status === 'online' && proc.pid && proc.pid !== oldPid) return proc.pid;
      await sleep(50);
    }
    throw new Error(`${id} was not restarted within ${timeoutMs} ms`);
  }

  /** `npm stop && npm start`: every process goes, then the whole cluster starts again on the same ports. */
  async restartAll(): Promise<void> {
    await this.pm2('delete', 'ecosystem.config.js');
    await this.pm2('start', 'ecosystem.config.js');
    await Promise.all(this.servers.map((s) => waitForPort(s.host, listeningPort(s), 20_000)));
  }

  /** The last lines of every server's pm2 log. */
  async recentLogs(lines = 40): Promise<string> {
    return this.pm2('logs', '--nostream', '--lines', String(lines)).catch((err: Error) => err.message);
  }

  /** Prints the servers' logs when a test failed, then stops as usual. */
  override async stop(): Promise<void> {
    if ((globalThis as { __testFailed?: boolean }).__testFailed)
      process.stderr.write(`\npm2 logs (a test failed):\n${await this.recentLogs()}\n`);
    await super.stop();
    await this.redis?.stop();
  }
}
