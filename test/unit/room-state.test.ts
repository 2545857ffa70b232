import { mergeRoomStates } from '../../app/servers/chat/room-state';
import type { RoomState } from '../../app/protocol';

const state = (fields: Partial<RoomState>): RoomState => ({ rid: 'r', lastId: 0, members: [], log: null, ...fields });
const log = (lastSeq: number) => ({ epoch: `e${lastSeq}`, lastSeq, entries: [] });

describe('mergeRoomStates', () => {
  it('keeps every member (the later copy says which connector), the highest last id and the longest log', () => {
    const merged = mergeRoomStates('r', [
      state({ lastId: 50, members: [['ann*r', 'c1']], log: log(3) }),
      state({ lastId: 90, members: [['bob*r', 'c2']], log: log(7) }),
      state({ lastId: 70, members: [['ann*r', 'c3']], log: log(5) }),
    ]);
    expect(merged).toEqual({
      rid: 'r',
      lastId: 90,
      members: [
        ['ann*r', 'c3'],
        ['bob*r', 'c2'],
      ],
      log: log(7),
    });
  });

  it('keeps the later-ending ban or mute of each user and leaves moderation out when there is none', () => {
    const merged = mergeRoomStates('r', [
      state({ moderation: { bans: [{ username: 'eve', until: 100 }], mutes: [{ username: 'bob', until: 500 }] } }),
      state({ moderation: { bans: [{ username: 'eve', until: 300 }], mutes: [{ username: 'bob', until: 200 }] } }),
    ]);
    expect(merged.moderation).toEqual({ bans: [{ username: 'eve', until: 300 }], mutes: [{ username: 'bob', until: 500 }] });
    expect('moderation' in mergeRoomStates('r', [state({}), state({})])).toBe(false);
  });

  it('gives an empty room for no copies, and a log when only some copies have one (a shared store has none)', () => {
    expect(mergeRoomStates('r', [])).toEqual({ rid: 'r', lastId: 0, members: [], log: null });
    expect(mergeRoomStates('r', [state({}), state({ log: log(2) })]).log).toEqual(log(2));
  });

  it('keeps the highest seq an old owner confirmed (a shared log has no snapshot to say it)', () => {
    expect(mergeRoomStates('r', [state({ lastSeq: 4 }), state({ lastSeq: 9 }), state({})]).lastSeq).toBe(9);
  });
});
