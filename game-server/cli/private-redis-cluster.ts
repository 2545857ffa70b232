import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePorts } from '../free-ports';
import { PrivateRedisServer } from './private-redis-server';
import { infoField, pollUntil, redisCommand } from './redis-admin';

const run = promisify(execFile);

/**
 * A Redis Cluster of its own for the tests, the chaos run and the bench (Debian's redis-server and
 * redis-cli): three primaries on free ports of 127.0.0.1 (and `replicas` replicas of each), every node
 * with its cluster bus on a free port too, slots shared out by `redis-cli --cluster create`. No
 * persistence: a killed primary's replica takes over its slots, and the killed node comes back (its
 * nodes.conf) as a replica that copies the data again.
 */
export class PrivateRedisCluster {
  private constructor(
    readonly nodes: PrivateRedisServer[],
    /** Each primary's replicas: REDIS_MIN_REPLICAS for a write that no failover can lose. */
    readonly replicasPerPrimary: number,
  ) {}

  static async start({ primaries = 3, replicas = 0 } = {}): Promise<PrivateRedisCluster> {
    const size = primaries * (1 + replicas);
    const ports = await freePorts(size * 2);
    const nodes: PrivateRedisServer[] = [];
    const cluster = new PrivateRedisCluster(nodes, replicas);
    try {
      for (let i = 0; i < size; i++) {
        const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(ports[size + i])];
        nodes.push(await PrivateRedisServer.start({ port: ports[i]!, args: [...args, '--cluster-node-timeout', '2000'] }));
      }
      const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
      await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], {
        timeout: 30_000,
      });
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

  /** A running node whose role is `role`. */
  async withRole(role: 'master' | 'slave'): Promise<PrivateRedisServer> {
    for (const node of this.nodes) {
      if (node.running && infoField(await redisCommand(node.port, 'INFO', 'replication'), 'role') === role) return node;
    }
    throw new Error(`no running ${role === 'master' ? 'primary' : 'replica'}`);
  }

  replica(): Promise<PrivateRedisServer> {
    return this.withRole('slave');
  }

  /**
   * Kills a primary (kill -9) and waits until its replica serves its slots; returns the killed node. Until
   * then the killed node must not come back: empty (no persistence) and still named the slots' primary, it
   * would hand its empty data set to the replica that was about to take over.
   */
  async killPrimary(): Promise<PrivateRedisServer> {
    const killed = await this.withRole('master');
    await killed.pause();
    const others = this.nodes.filter((n) => n !== killed);
    await pollUntil(
      async () => {
        for (const node of others) if (infoField(await redisCommand(node.port, 'CLUSTER', 'INFO'), 'cluster_state') !== 'ok') return false;
        const nodesText = String(await redisCommand(others[0]!.port, 'CLUSTER', 'NODES'));
        // <id> <address> <flags> <primary> <ping> <pong> <epoch> <link> <slots...>: flagged failed, and no slots left.
        const fields =
          nodesText
            .split('\n')
            .find((line) => line.includes(` 127.0.0.1:${killed.port}@`))
            ?.split(' ') ?? [];
        return (fields[2]?.split(',').includes('fail') ?? false) && fields.length <= 8;
      },
      30_000,
      "a replica took over the killed primary's slots",
    );
    return killed;
  }

  /** Copies every node's log into `dir` (redis-<port>.log). */
  copyLogs(dir: string): void {
    for (const node of this.nodes) node.copyLogs(dir);
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
