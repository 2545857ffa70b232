import { registerChatStats } from '../../app/servers/chat/chat-stats';
import { RedisConnection } from '../../app/servers/chat/redis-connection';
import type { RoomRegistry } from '../../app/servers/chat/room-registry';
import { Application } from '../../game-server/application';
import type { ServerInfo } from '../../game-server/config/server-info';
import { AppError, Code } from '../../game-server/errors';
import { createLogger } from '../../game-server/logger';
import { loadRuntimeSettings } from '../../game-server/settings';
import { parsePrometheusText } from '../helpers/prometheus-text';

const chat: ServerInfo = { id: 'chat-server-1', serverType: 'chat', host: '127.0.0.1', port: 6050 };
const log = createLogger('chat-stats-test', 'silent');

function chatApp(): Application {
  return new Application(chat, new Map([['chat', [chat]]]), loadRuntimeSettings({}), log);
}

/** What registerChatStats reads of the rooms: their count, their members and the messages published. */
function fakeRooms(published: number): RoomRegistry {
  return { size: 0, published, all: () => [] } as unknown as RoomRegistry;
}

describe("a chat server's metrics", () => {
  it('counts messages published as chat_messages_published_total, read from the registry when scraped', async () => {
    const app = chatApp();
    const rooms = fakeRooms(3);
    registerChatStats(app, rooms);
    const scrape = async () => parsePrometheusText(await app.metrics.registry.metrics());
    expect((await scrape()).samples('chat_messages_published_total')).toEqual([
      { name: 'chat_messages_published_total', labels: { server: 'chat-server-1', server_type: 'chat' }, value: 3 },
    ]);
    rooms.published += 4;
    const text = await scrape();
    expect(text.family('chat_messages_published_total').type).toBe('counter');
    expect(text.sum('chat_messages_published_total')).toBe(7);
    // The memory stores do not fail like a network store: no Redis series without Redis.
    expect(text.samples('chat_redis_errors_total')).toEqual([]);
  });

  it('counts calls to Redis and those that failed, with the Redis store', async () => {
    const app = chatApp();
    const calls = { total: 0, failed: 0 };
    registerChatStats(app, fakeRooms(0), calls);
    calls.total = 10;
    calls.failed = 2;
    const text = parsePrometheusText(await app.metrics.registry.metrics());
    expect(text.sum('chat_redis_calls_total', { server: 'chat-server-1' })).toBe(10);
    expect(text.sum('chat_redis_errors_total', { server: 'chat-server-1' })).toBe(2);
  });
});

describe('a Redis connection', () => {
  it('counts a call made while Redis is not there as a call and a failure, and answers it 503', async () => {
    const connection = new RedisConnection({ url: 'redis://127.0.0.1:1', timeoutMs: 50, log });
    // Stopped before its first attempt: no socket and no retry outlive the test (a socket closed by a
    // refused connection would leave ioredis' 2 s disconnect timer behind on close).
    connection.redis.disconnect();
    try {
      const command = jest.fn(() => Promise.resolve('never run'));
      const failed = await connection.run('room-a', command).catch((err: unknown) => err);
      expect(failed).toBeInstanceOf(AppError);
      expect((failed as AppError).code).toBe(Code.UNAVAILABLE);
      expect(command).not.toHaveBeenCalled();
      expect(connection.calls).toEqual({ total: 1, failed: 1 });
    } finally {
      await connection.close();
    }
  });
});
