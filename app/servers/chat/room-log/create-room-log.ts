import type { Logger } from '../../../../game-server';
import type { ChatSettings } from '../../../settings';
import { MemoryRoomLog } from './memory-room-log';
import { RedisRoomLog } from './redis-room-log';
import type { RoomLog } from './room-log';

/** The room log that HISTORY_STORE names. */
export function createRoomLog(settings: ChatSettings, log: Logger): RoomLog {
  if (settings.HISTORY_STORE === 'redis') {
    return new RedisRoomLog({ url: settings.REDIS_URL, capacity: settings.HISTORY_SIZE, timeoutMs: settings.REDIS_TIMEOUT_MS, log });
  }
  return new MemoryRoomLog(settings.HISTORY_SIZE);
}
