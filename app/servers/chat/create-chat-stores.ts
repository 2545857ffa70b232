import type { Logger } from '../../../game-server';
import type { ChatSettings } from '../../settings';
import { MemoryModerationStore, type ModerationStore } from './moderation/moderation-store';
import { RedisModerationStore } from './moderation/redis-moderation-store';
import { RedisConnection } from './redis-connection';
import { MemoryRoomLog } from './room-log/memory-room-log';
import { RedisRoomLog } from './room-log/redis-room-log';
import type { RoomLog } from './room-log/room-log';

/** What a chat server keeps per room beyond its members: the log, and bans and mutes. */
export interface ChatStores {
  log: RoomLog;
  moderation: ModerationStore;
  /** The memory stores, whose rooms a clean stop writes to the rooms file; absent for a shared store. */
  memory?: { log: MemoryRoomLog; moderation: MemoryModerationStore };
  /** Calls to the shared store and those that failed, for the metrics; absent for the memory stores, which do not fail that way. */
  calls?: Readonly<RedisConnection['calls']>;
  close(): Promise<void>;
}

/** The stores HISTORY_STORE names: both in this server's memory, or both in Redis on one connection. */
export function createChatStores(settings: ChatSettings, log: Logger): ChatStores {
  if (settings.HISTORY_STORE === 'redis') {
    const connection = new RedisConnection({
      url: settings.REDIS_URL,
      timeoutMs: settings.REDIS_TIMEOUT_MS,
      minReplicas: settings.REDIS_MIN_REPLICAS,
      waitMs: settings.REDIS_WAIT_MS,
      log,
    });
    return {
      log: new RedisRoomLog({ connection, capacity: settings.HISTORY_SIZE }),
      moderation: new RedisModerationStore(connection),
      calls: connection.calls,
      close: () => connection.close(),
    };
  }
  const memory = { log: new MemoryRoomLog(settings.HISTORY_SIZE), moderation: new MemoryModerationStore() };
  return { ...memory, memory, close: () => memory.log.close() };
}
