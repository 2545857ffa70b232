import { PrivateRedisServer } from '../../game-server/cli/private-redis-server';
import { infoField, pollUntil, redisCommand } from '../../game-server/cli/redis-admin';

/**
 * A copy of a redis-server's data as it is now, kept apart (a replica that stopped replicating), to which
 * the server can later be taken back: what a failover to a replica that lagged does to the primary's data.
 */
export class RedisSnapshot {
  private constructor(private readonly copy: PrivateRedisServer) {}

  /** Copies `port`'s data now. */
  static async take(port: number): Promise<RedisSnapshot> {
    // A primary waits 5 s by default before it streams its data to a new replica.
    await redisCommand(port, 'CONFIG', 'SET', 'repl-diskless-sync-delay', '0');
    const copy = await PrivateRedisServer.start({
      args: ['--replicaof', '127.0.0.1', String(port), '--repl-diskless-sync-delay', '0'],
    });
    const snapshot = new RedisSnapshot(copy);
    try {
      await inSyncWith(copy.port, port);
      await redisCommand(copy.port, 'REPLICAOF', 'NO', 'ONE');
    } catch (err) {
      await copy.stop();
      throw err;
    }
    return snapshot;
  }

  /** Makes the server on `port` a copy of the snapshot (losing what it took since), then a primary again. */
  async restoreTo(port: number): Promise<void> {
    await redisCommand(port, 'REPLICAOF', '127.0.0.1', String(this.copy.port));
    await inSyncWith(port, this.copy.port);
    await redisCommand(port, 'REPLICAOF', 'NO', 'ONE');
  }

  stop(): Promise<void> {
    return this.copy.stop();
  }
}

/** Waits until the replica on `replicaPort` has every write of the primary on `primaryPort`. */
function inSyncWith(replicaPort: number, primaryPort: number): Promise<void> {
  return pollUntil(
    async () => {
      const replica = await redisCommand(replicaPort, 'INFO', 'replication');
      const primary = await redisCommand(primaryPort, 'INFO', 'replication');
      return (
        infoField(replica, 'master_link_status') === 'up' &&
        infoField(replica, 'slave_repl_offset') === infoField(primary, 'master_repl_offset')
      );
    },
    10_000,
    `redis on ${replicaPort} in sync with ${primaryPort}`,
  );
}
