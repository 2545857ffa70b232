import { MemoryModerationStore } from '../../app/servers/chat/moderation/moderation-store';
import { RoomRegistry } from '../../app/servers/chat/room-registry';
import { MemoryRoomLog } from '../../app/servers/chat/room-log/memory-room-log';
import { Push, type RoomState } from '../../app/protocol';
import { ChannelService } from '../../game-server/services/channel-service';
import { RecordingTransport } from '../helpers/recording-transport';

const KEEP_MS = 30_000;

function setup() {
  const transport = new RecordingTransport();
  const channels = new ChannelService(transport);
  const log = new MemoryRoomLog(10);
  const moderation = new MemoryModerationStore();
  const registry = new RoomRegistry({ channels }, log, moderation);
  return { transport, channels, log, moderation, registry };
}

const say = (msg: string) => ({ msg, from: 'ann', target: '*' });

describe('RoomRegistry', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('creates a room once when asked twice at the same time, claiming its log once', async () => {
    const { registry, log } = setup();
    const claim = jest.spyOn(log, 'claim');
    const [a, b] = await Promise.all([registry.create('lobby'), registry.create('lobby')]);
    expect(a).toBe(b);
    expect(await registry.create('lobby')).toBe(a);
    expect(claim).toHaveBeenCalledTimes(1);
    expect(registry.get('lobby')).toBe(a);
    expect(registry.size).toBe(1);
    expect([...registry.all()]).toEqual([a]);
  });

  it('creates a room that moved here with its members, ids, log and bans', async () => {
    const { registry, moderation } = setup();
    const until = Date.now() + 60_000;
    const state: RoomState = {
      rid: 'lobby',
      lastId: Date.now() * 1000 + 5000,
      members: [
        ['ann*lobby', 'connector-1'],
        ['bob*lobby', 'connector-2'],
      ],
      log: { epoch: 'e-1', lastSeq: 7, entries: [] },
      moderation: { bans: [{ username: 'eve', until }], mutes: [] },
    };
    const room = await registry.create('lobby', state);
    expect(room.users()).toEqual(['ann', 'bob']);
    expect(room.channel.frontendOf('bob*lobby')).toBe('connector-2');
    expect(room.head()).toEqual({ rid: 'lobby', seq: 7, epoch: 'e-1' });
    expect(await moderation.get('lobby', 'ban', 'eve')).toEqual({ username: 'eve', until });
    const { message } = await room.publish(say('hi'));
    expect(message).toMatchObject({ seq: 8, id: state.lastId + 1 });
  });

  it('hands a room over once its appends have finished: members, last id and seq, log and bans, and forgets it', async () => {
    const { registry, channels, moderation } = setup();
    const room = await registry.create('lobby');
    room.channel.add('ann*lobby', 'connector-1');
    await moderation.set('lobby', 'mute', { username: 'bob', until: Date.now() + 60_000 });
    const publishing = room.publish(say('in flight'));

    const state = await registry.take('lobby');
    await expect(publishing).resolves.toMatchObject({ message: { seq: 1 } });
    expect(state).toMatchObject({
      rid: 'lobby',
      lastId: room.currentLastId,
      lastSeq: 1,
      members: [['ann*lobby', 'connector-1']],
      log: { lastSeq: 1, entries: [{ message: { msg: 'in flight' } }] },
      moderation: { bans: [], mutes: [{ username: 'bob' }] },
    });
    expect(registry.get('lobby')).toBeUndefined();
    expect(channels.getOrCreateChannel('lobby')).not.toBe(room.channel);
    expect(await registry.take('lobby')).toBeNull();
  });

  it('tells the others who left, and drops a room when its last member leaves', async () => {
    const { registry, transport } = setup();
    const room = await registry.create('lobby');
    room.channel.add('ann*lobby', 'connector-1');
    room.channel.add('bob*lobby', 'connector-2');

    registry.leave(room, 'ann*lobby');
    expect(transport.pushes).toEqual([
      { frontendId: 'connector-2', message: { route: Push.leave, msg: { user: 'ann', rid: 'lobby' }, channel: 'lobby' } },
    ]);
    expect(registry.get('lobby')).toBe(room);

    registry.leave(room, 'bob*lobby');
    expect(registry.get('lobby')).toBeUndefined();
    expect(registry.size).toBe(0);
  });

  it(`keeps the log of an emptied room for ${KEEP_MS / 1000} s, so members coming back find their history`, async () => {
    const { registry, log } = setup();
    const room = await registry.create('lobby');
    room.channel.add('ann*lobby', 'connector-1');
    const { message } = await room.publish(say('before'));
    registry.leave(room, 'ann*lobby');

    jest.advanceTimersByTime(KEEP_MS - 1);
    expect((await log.read('lobby', 0, 10)).messages).toEqual([message]);
    const back = await registry.create('lobby');
    expect(back.head()).toEqual(room.head());
    back.channel.add('ann*lobby', 'connector-1');

    jest.advanceTimersByTime(KEEP_MS);
    expect((await log.read('lobby', 0, 10)).messages).toEqual([message]);
    expect((await back.publish(say('after'))).message.seq).toBe(2);
  });

  it(`forgets the log of a room that stayed empty for ${KEEP_MS / 1000} s`, async () => {
    const { registry, log } = setup();
    const room = await registry.create('lobby');
    room.channel.add('ann*lobby', 'connector-1');
    await room.publish(say('before'));
    const { epoch } = room.head();
    registry.leave(room, 'ann*lobby');

    jest.advanceTimersByTime(KEEP_MS);
    expect(await log.read('lobby', 0, 10)).toEqual({ epoch: '', lastSeq: 0, firstSeq: 1, messages: [] });
    const fresh = await registry.create('lobby');
    expect(fresh.head().seq).toBe(0);
    expect(fresh.head().epoch).not.toBe(epoch);
  });

  it('hands over the kept log of an emptied room when asked for the room', async () => {
    const { registry } = setup();
    const room = await registry.create('lobby');
    room.channel.add('ann*lobby', 'connector-1');
    await room.publish(say('kept'));
    registry.leave(room, 'ann*lobby');

    const state = await registry.take('lobby');
    expect(state).toMatchObject({ rid: 'lobby', lastId: 0, members: [], log: { lastSeq: 1 } });
    expect(await registry.take('lobby')).toBeNull();
  });

  it('keeps a room that still has members when asked to remove it if empty', async () => {
    const { registry } = setup();
    const room = await registry.create('lobby');
    room.channel.add('ann*lobby', 'connector-1');
    registry.removeIfEmpty(room);
    expect(registry.get('lobby')).toBe(room);
  });

  it('makes every member of a gone connector leave, but those it is told to spare', async () => {
    const { registry } = setup();
    const lobby = await registry.create('lobby');
    const other = await registry.create('other');
    lobby.channel.add('ann*lobby', 'connector-1');
    lobby.channel.add('bob*lobby', 'connector-2');
    lobby.channel.add('cat*lobby', 'connector-1');
    other.channel.add('dan*other', 'connector-1');

    expect(registry.leaveAll('connector-1', new Set(['cat*lobby']))).toBe(2);
    expect(lobby.users()).toEqual(['bob', 'cat']);
    expect(registry.get('other')).toBeUndefined();
    expect(registry.leaveAll('connector-9')).toBe(0);
  });

  it('forgets a room that moved away only if it is still the room it holds', async () => {
    const { registry } = setup();
    const first = await registry.create('lobby');
    first.channel.add('ann*lobby', 'connector-1');
    await registry.take('lobby');
    const second = await registry.create('lobby');
    registry.forget(first);
    expect(registry.get('lobby')).toBe(second);
    registry.forget(second);
    expect(registry.get('lobby')).toBeUndefined();
  });

  it('counts the messages published in its rooms', async () => {
    const { registry } = setup();
    const room = await registry.create('lobby');
    await room.publish(say('a'));
    await room.publish({ ...say('b'), clientMsgId: 'x' });
    await room.publish({ ...say('b'), clientMsgId: 'x' });
    expect(registry.published).toBe(2);
  });
});
