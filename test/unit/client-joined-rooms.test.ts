import { JoinedRooms } from '../../client/src/joined-rooms';
import type { ChatMessage, EnterResult, RoomMessage } from '../../client/src/protocol';

const msg = (rid: string, seq: number): RoomMessage => ({
  rid,
  id: 1000 + seq,
  seq,
  msg: `${rid}-${seq}`,
  from: 'ann',
  target: '*',
  time: 0,
});
const entry = (history: ChatMessage[], lastSeq: number, epoch = 'e1'): EnterResult => ({
  users: ['ann'],
  userCount: 1,
  history,
  epoch,
  lastSeq,
  recovered: true,
  readSeq: 0,
  unread: 0,
});

function setup() {
  const events: string[] = [];
  const rooms = new JoinedRooms({
    fetchHistory: () => Promise.reject(new Error('no history in this test')),
    message: (m) => events.push(`message ${m.rid} ${m.msg}`),
    lost: (rid) => events.push(`lost ${rid}`),
    user: (event, rid, user) => events.push(`${event} ${rid} ${user}`),
  });
  return { rooms, events };
}

describe("JoinedRooms: a client's rooms on one connection", () => {
  it("holds a room's onAdd until its join reply, and emits the reply's history first", () => {
    const { rooms, events } = setup();
    rooms.add('a');
    rooms.entering('a');
    rooms.user('join', { rid: 'a', user: 'bob' });
    rooms.chat(msg('a', 2));
    expect(events).toEqual([]);
    rooms.apply('a', entry([msg('a', 1)], 1));
    expect(events).toEqual(['message a a-1', 'message a a-2', 'join a bob']);
    expect(rooms.entered('a')).toBe(true);
  });

  it('gives a first join its history to return instead of emitting it', () => {
    const { rooms, events } = setup();
    rooms.add('a');
    rooms.entering('a');
    const replay: ChatMessage[] = [];
    rooms.apply('a', entry([msg('a', 1), msg('a', 2)], 2), replay);
    rooms.chat(msg('a', 3));
    expect(replay.map((m) => m.seq)).toEqual([1, 2]);
    expect(events).toEqual(['message a a-3']);
  });

  it("keeps each room's place for the next re-entry, and drops a room's pushes once it is removed", () => {
    const { rooms, events } = setup();
    for (const rid of ['a', 'b']) {
      rooms.add(rid);
      rooms.apply(rid, entry([], 0, `${rid}-epoch`));
    }
    rooms.chat(msg('a', 1));
    rooms.chat(msg('b', 1));
    rooms.chat(msg('b', 2));
    rooms.suspend();
    expect([rooms.entered('a'), rooms.entered('b')]).toEqual([false, false]);
    expect(rooms.rids().map((rid) => rooms.position(rid))).toEqual([
      { lastSeq: 1, epoch: 'a-epoch' },
      { lastSeq: 2, epoch: 'b-epoch' },
    ]);
    rooms.remove('b');
    rooms.apply('a', entry([], 1, 'a-epoch'));
    rooms.chat(msg('b', 3));
    rooms.user('leave', { rid: 'b', user: 'bob' });
    expect(events).toEqual(['message a a-1', 'message b b-1', 'message b b-2']);
    expect(rooms.rids()).toEqual(['a']);
  });

  it('takes a push without rid for its only room (a server before multi-room), and none when there are several', () => {
    const { rooms, events } = setup();
    rooms.add('a');
    rooms.apply('a', entry([], 0));
    rooms.user('join', { user: 'bob' });
    rooms.add('b');
    rooms.user('join', { user: 'cat' });
    expect(events).toEqual(['join a bob']);
    expect([rooms.roomOf(undefined), rooms.roomOf('b'), rooms.roomOf('z')]).toEqual([undefined, 'b', undefined]);
  });
});
