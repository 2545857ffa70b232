import path from 'node:path';
import { PrivateRedisServer } from './private-redis-server';
import { infoField, pollUntil, redisCommand } from './redis-admin';

const MASTER = 'chat';
/**
 * A replica that must copy the whole data set (it was ahead of the replica promoted in a failover) starts
 * at once: by default a primary waits 5 s for more replicas before it streams a snapshot, and until that
 * replica is in sync, writes that wait for one (REDIS_MIN_REPLICAS) answer 503.
 */
const REPLICATION_ARGS = ['--repl-diskless-sync-delay', '0'];

/**
 * A Redis with Sentinel of its own for the tests, the chaos run and the bench (Debian's redis-server):
 * a primary, two replicas and three Sentinels (quorum 2) on free ports of 127.0.0.1, failing over one
 * second after the primary stops answering. Two replicas: a killed primary comes back as the third
 * server while the Sentinels may still be choosing, which is where a failover can go wrong. No persistence:
 * a killed server comes back empty, as a replica of the new primary, from which it copies the data.
 */
export class PrivateRedisSentinel {
  private constructor(
    readonly servers: PrivateRedisServer[],
    readonly sentinels: PrivateRedisServer[],
  ) {}

  static async start(): Promise<PrivateRedisSentinel> {
    const primary = await PrivateRedisServer.start({ args: [...REPLICATION_ARGS] });
    const replicaOf = { args: [...REPLICATION_ARGS, '--replicaof', '127.0.0.1', String(primary.port)] };
    const replicas = await Promise.all([PrivateRedisServer.start(replicaOf), PrivateRedisServer.start(replicaOf)]);
    const config = [
      `sentinel monitor ${MASTER} 127.0.0.1 ${primary.port} 2`,
      `sentinel down-after-milliseconds ${MASTER} 1000`,
      `sentinel failover-timeout ${MASTER} 4000`,
      '',
    ].join('\n');
    const sentinels = await Promise.all([1, 2, 3].map(() => PrivateRedisServer.start({ config, args: ['--sentinel'] })));
    const deployment = new PrivateRedisSentinel([primary, ...replicas], sentinels);
    try {
      await deployment.settled();
    } catch (err) {
      await deployment.stop();
      throw err;
    }
    return deployment;
  }

  /** The primary's replicas: REDIS_MIN_REPLICAS for a write that no failover can lose (docs/delivery.md). */
  get replicasPerPrimary(): number {
    return this.servers.length - 1;
  }

  /** REDIS_URL for the chat servers. */
  get url(): string {
    return `redis+sentinel://${this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${MASTER}`;
  }

  /** The server the Sentinels name as primary now. */
  async primary(): Promise<PrivateRedisServer> {
    const [, port] = (await redisCommand(this.sentinels[0]!.port, 'SENTINEL', 'get-master-addr-by-name', MASTER)) as [string, string];
    const server = this.servers.find((s) => s.port === Number(port));
    if (!server) throw new Error(`the Sentinels name an unknown primary (port ${port})`);
    return server;
  }

  /** Kills the primary (kill -9) and waits until the Sentinels have promoted a replica; returns the killed one. */
  async killPrimary(): Promise<PrivateRedisServer> {
    const killed = await this.primary();
    await killed.pause();
    await pollUntil(async () => (await this.primary()) !== killed, 30_000, 'the Sentinels promoted a replica');
    return killed;
  }

  /** A replica that runs (not the primary). */
  async replica(): Promise<PrivateRedisServer> {
    const primary = await this.primary();
    const replica = this.servers.find((s) => s !== primary && s.running);
    if (!replica) throw new Error('no replica is running');
    return replica;
  }

  /**
   * Starts a killed server again (empty) as a replica of the primary, as an operator would (the Sentinels
   * would make it one too, but only some seconds after they see it back), and waits until it is in sync.
   */
  async restart(server: PrivateRedisServer): Promise<void> {
    const primary = await this.primary();
    await server.resume(['--replicaof', '127.0.0.1', String(primary.port)]);
    await this.settled();
  }

  /** What the Sentinels and the primary say now, for a failure message: the primary and its replicas' states. */
  async describe(): Promise<string> {
    try {
      const primary = await this.primary();
      const replication = String(await redisCommand(primary.port, 'INFO', 'replication'));
      const replicas = replication.match(/^slave\d+:.*$/gm) ?? [];
      return `primary 127.0.0.1:${primary.port} (${infoField(replication, 'role')}), replicas: ${replicas.join('; ') || 'none'}`;
    } catch (err) {
      return `no answer from the Sentinels or the primary: ${(err as Error).message}`;
    }
  }

  /** Copies every server's and Sentinel's log into `dir` (redis-<port>.log, sentinel-<port>.log). */
  copyLogs(dir: string): void {
    for (const s of this.servers) s.copyLogs(dir);
    for (const s of this.sentinels) s.copyLog(path.join(dir, `sentinel-${s.port}.log`));
  }

  /** Every process's pid (for a chaos run's leftover check). */
  get pids(): number[] {
    return [...this.servers, ...this.sentinels].flatMap((s) => (s.pid === undefined ? [] : [s.pid]));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.servers].map((s) => s.stop()));
  }

  /** Waits until the primary has every replica in sync, and every Sentinel knows them and the other Sentinels. */
  private async settled(): Promise<void> {
    const replicas = String(this.servers.length - 1);
    await pollUntil(
      async () => {
        const primary = await this.primary();
        const replication = await redisCommand(primary.port, 'INFO', 'replication');
        const online = String(replication).match(/^slave\d+:.*state=online/gm)?.length ?? 0;
        if (infoField(replication, 'role') !== 'master' || String(online) !== replicas) return false;
        for (const sentinel of this.sentinels) {
          const [master] = (await redisCommand(sentinel.port, 'SENTINEL', 'masters')) as string[][];
          const field = (name: string): string | undefined => master?.[master.indexOf(name) + 1];
          if (field('port') !== String(primary.port) || field('num-slaves') !== replicas || field('num-other-sentinels') !== '2')
            return false;
          if (field('flags') !== 'master') return false;
        }
        return true;
      },
      30_000,
      'Redis Sentinel settled (a primary, its replicas online, three Sentinels that know them)',
    );
  }
}
