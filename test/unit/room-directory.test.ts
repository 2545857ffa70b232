import type { ServerInfo } from '../../game-server/config/server-info';
import { Moved } from '../../game-server/contract/moved';
import { createLogger } from '../../game-server/logger';
import { ChannelService } from '../../game-server/services/channel-service';
import type { RoomState } from '../../app/protocol';
import { MemoryModerationStore } from '../../app/servers/chat/moderation/moderation-store';
import { RoomDirectory, type RoomDirectoryHost, type TakeRoom } from '../../app/servers/chat/room-directory';
import { MemoryRoomLog } from '../../app/servers/chat/room-log/memory-room-log';
import { RoomRegistry } from '../../app/servers/chat/room-registry';
import { dispatch } from '../../game-server';

const chats: ServerInfo[] = [1, 2].map((n) => ({ id: `chat-server-${n}`, serverType: 'chat', host: '127.0.0.1', port: 6050 + n }));
const connector: ServerInfo = { id: 'connector-server-1', serverType: 'connector', host: '127.0.0.1', port: 4050, frontend: true };
/** A room each chat server owns (`chats[crc32(rid) % 2]`). */
const ownedBy = (serverId: string): string => ['a', 'b', 'c', 'd', 'e'].find((rid) => dispatch(rid, chats).id === serverId)!;
const instant = { moveWindowMs: 60_000, resyncWaitMs: 0, connectorGoneMs: 5000 };

function directoryOn(
  serverId: string,
  takeRoom: TakeRoom = async () => null,
  timing = instant,
): { directory: RoomDirectory; rooms: RoomRegistry; down: Set<string>; linkDown: (server: ServerInfo) => void } {
  const down = new Set<string>();
  let linkDown: (server: ServerInfo) => void = () => undefined;
  const host: RoomDirectoryHost = {
    serverId,
    log: createLogger(serverId, 'silent'),
    getServersByType: (type) => (type === 'chat' ? chats : [connector]),
    getServersEverSeen: (type) => (type === 'chat' ? chats : [connector]),
    isServerUp: (id) => !down.has(id),
    onServersChanged: () => undefined,
    onLinkDown: (listener) => {
      linkDown = listener;
    },
  };
  const rooms = new RoomRegistry(
    { channels: new ChannelService({ pushToFrontend: () => undefined }) },
    new MemoryRoomLog(50),
    new MemoryModerationStore(),
  );
  return { directory: new RoomDirectory(host, takeRoom, rooms, timing), rooms, down, linkDown: (server) => linkDown(server) };
}

describe('a room directory', () => {
  it('serves a room it owns here, and throws Moved to the owner of any other unless the request was passed on already', async () => {
    const { directory } = directoryOn('chat-server-1');
    const mine = ownedBy('chat-server-1');
    const theirs = ownedBy('chat-server-2');
    expect(await directory.locate(mine, { redirected: false }, false)).toBeUndefined();
    const room = await directory.locate(mine, { redirected: false }, true);
    expect(room?.rid).toBe(mine);
    expect(await directory.locate(mine, { redirected: false }, false)).toBe(room);
    await expect(directory.locate(theirs, { redirected: false }, true)).rejects.toEqual(new Moved('chat-server-2'));
    expect((await directory.locate(theirs, { redirected: true }, true))?.rid).toBe(theirs);
  });

  it('takes a room it owns over from the chat servers that hold it, members included, asking once for concurrent callers', async () => {
    const rid = ownedBy('chat-server-1');
    const asked: string[] = [];
    const state: RoomState = { rid, lastId: 7, members: [['ann*' + rid, 'connector-server-1']], log: null };
    const { directory } = directoryOn('chat-server-1', async (peer) => {
      asked.push(peer.id);
      return state;
    });
    const [first, second] = await Promise.all([directory.obtain(rid, false), directory.obtain(rid, false)]);
    expect(first).toBe(second);
    expect(first?.users()).toEqual(['ann']);
    expect(asked).toEqual(['chat-server-2']);
  });

  it('forgets a room whose log another server claimed, and throws Moved to its owner', async () => {
    const rid = ownedBy('chat-server-2');
    const { directory, rooms } = directoryOn('chat-server-1');
    const room = (await directory.locate(rid, { redirected: true }, true))!;
    expect(() => directory.lost(room)).toThrow(new Moved('chat-server-2'));
    expect(rooms.get(rid)).toBeUndefined();
  });

  it('takes the users of a connector that stays gone out of their rooms, and keeps those of one that came back', async () => {
    jest.useFakeTimers();
    try {
      const rid = ownedBy('chat-server-1');
      const { directory, rooms, down, linkDown } = directoryOn('chat-server-1');
      const room = (await directory.locate(rid, { redirected: false }, true))!;
      room.channel.add(`ann*${rid}`, connector.id);
      down.add(connector.id);
      linkDown(connector);
      down.delete(connector.id);
      jest.advanceTimersByTime(instant.connectorGoneMs);
      expect(room.users()).toEqual(['ann']);
      down.add(connector.id);
      linkDown(connector);
      jest.advanceTimersByTime(instant.connectorGoneMs);
      expect(rooms.get(rid)).toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});
