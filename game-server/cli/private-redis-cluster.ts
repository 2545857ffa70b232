import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePorts } from '../free-ports';
import { PrivateRedisServer } from './private-redis-server';
import { infoField, pollUntil, redisCommand } from './redis-admin';

const run = promisify(execFile);

/**
 * A Redis Cluster of its own for the tests, the chaos run and the bench (Debian's redis-server and
 * redis-cli): three primaries on free ports of 127.0.0.1, each with its cluster bus on a free port too,
 * slots shared out by `redis-cli --cluster create`. No persistence and no replicas: a killed node comes
 * back with its slots (its nodes.conf) but without their data.
 */
export class PrivateRedisCluster {
  private constructor(readonly nodes: PrivateRedisServer[]) {}

  static async start(size = 3): Promise<PrivateRedisCluster> {
    const ports = await freePorts(size * 2);
    const nodes: PrivateRedisServer[] = [];
    const cluster = new PrivateRedisCluster(nodes);
    try {
      for (let i = 0; i < size; i++) {
        const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(ports[size + i])];
        nodes.push(await PrivateRedisServer.start({ port: ports[i]!, args: [...args, '--cluster-node-timeout', '2000'] }));
      }
      await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], { timeout: 30_000 });
      await cluster.settled();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** REDIS_URL for the chat servers. */
  get url(): string {
    return `redis+cluster://${this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  }

  /** Starts a killed node again and waits until the cluster is whole. */
  async restart(node: PrivateRedisServer): Promise<void> {
    await node.resume();
    await this.settled();
  }

  get pids(): number[] {
    return this.nodes.flatMap((n) => (n.pid === undefined ? [] : [n.pid]));
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }

  /** Waits until every node says the cluster is ok (every slot served). */
  private async settled(): Promise<void> {
    await pollUntil(
      async () => {
        for (const node of this.nodes)
          if (infoField(await redisCommand(node.port, 'CLUSTER', 'INFO'), 'cluster_state') !== 'ok') return false;
        return true;
      },
      30_000,
      'the Redis Cluster served every slot',
    );
  }
}
