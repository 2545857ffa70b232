import { ChannelService, type PushTransport } from '../../game-server/services/channel-service';
import type { PushMessage } from '../../game-server/rpc/rpc-messages';
import { Push } from '../../app/protocol';
import type { Room } from '../../app/servers/chat/room';
import { Typing } from '../../app/servers/chat/typing';

/** A room with two members on one connector, recording what is pushed to it. */
function roomWithPushes(): { room: Room; pushes: PushMessage[] } {
  const pushes: PushMessage[] = [];
  const transport: PushTransport = { pushToFrontend: (_id, message) => void pushes.push(message) };
  const channel = new ChannelService(transport).getOrCreateChannel('lobby');
  channel.add('ann*lobby', 'connector-1');
  channel.add('bob*lobby', 'connector-1');
  return { room: { rid: 'lobby', channel } as unknown as Room, pushes };
}

describe('Typing', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('pushes typing:true to the others at most once per 2 s, and typing:false 8 s after the last typing:true', () => {
    const { room, pushes } = roomWithPushes();
    const typing = new Typing();
    typing.set(room, 'ann', true);
    expect(pushes).toEqual([
      { route: Push.typing, msg: { rid: 'lobby', user: 'ann', typing: true }, channel: 'lobby', except: 'ann*lobby' },
    ]);
    jest.advanceTimersByTime(1999);
    typing.set(room, 'ann', true);
    expect(pushes).toHaveLength(1);
    jest.advanceTimersByTime(1);
    typing.set(room, 'ann', true);
    expect(pushes).toHaveLength(2);
    jest.advanceTimersByTime(7999);
    expect(pushes).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(pushes.map((p) => (p.msg as { typing: boolean }).typing)).toEqual([true, true, false]);
    expect(typing.size).toBe(0);
  });

  it('pushes typing:false once when the typist stops, sends or leaves, and nothing for one who was not typing', () => {
    const { room, pushes } = roomWithPushes();
    const typing = new Typing();
    typing.stopped(room, 'bob');
    typing.set(room, 'bob', false);
    expect(pushes).toEqual([]);
    typing.set(room, 'ann', true);
    typing.set(room, 'ann', false);
    typing.stopped(room, 'ann');
    expect(pushes.map((p) => (p.msg as { typing: boolean }).typing)).toEqual([true, false]);
    jest.advanceTimersByTime(10_000);
    expect(pushes).toHaveLength(2);
  });
});
