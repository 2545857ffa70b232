import type { Application } from '../../../game-server';
import type { ChatStores } from './create-chat-stores';
import type { RoomRegistry } from './room-registry';

/** One room as `npm run status -- --rooms` lists it. */
export interface RoomStat {
  rid: string;
  members: number;
  /** Their user names (chat servers since the admin page). */
  users?: string[];
}

/**
 * A chat server's rooms and messages published in its `__system.status` reply and in its metrics
 * (`chat_rooms`, `chat_room_members`, `chat_messages_published_total`, and with the Redis store
 * `chat_redis_calls_total` and `chat_redis_errors_total`), all read when asked.
 */
export function registerChatStats(app: Application, rooms: RoomRegistry, storeCalls?: ChatStores['calls']): void {
  const members = (): number => {
    let total = 0;
    for (const room of rooms.all()) total += room.channel.size;
    return total;
  };
  app.addStatus(({ details }) => ({
    rooms: rooms.size,
    members: members(),
    messages: rooms.published,
    ...(details && {
      roomList: [...rooms.all()].map((room): RoomStat => ({ rid: room.rid, members: room.channel.size, users: room.users() })),
    }),
  }));
  app.metrics.gauge('chat_rooms', 'Rooms held by this chat server', () => rooms.size);
  app.metrics.gauge('chat_room_members', 'Members of the rooms held by this chat server', members);
  app.metrics.counter('chat_messages_published_total', 'Messages published in the rooms of this chat server', () => rooms.published);
  if (storeCalls) {
    app.metrics.counter(
      'chat_redis_calls_total',
      'Calls to Redis (room logs, bans, mutes); a call may be a script of several commands',
      () => storeCalls.total,
    );
    app.metrics.counter(
      'chat_redis_errors_total',
      'Calls to Redis that failed (unreachable, timed out or refused), each answered 503',
      () => storeCalls.failed,
    );
  }
}
