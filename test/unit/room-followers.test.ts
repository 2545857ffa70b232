import { RoomFollowers } from '../../app/client/room-log-follower';
import type { ChatMessage, HistoryReply, RoomMessage } from '../../app/protocol';

const msg = (rid: string, seq: number): RoomMessage => ({
  rid,
  id: 1000 + seq,
  seq,
  msg: `${rid}-${seq}`,
  from: 'ann',
  target: '*',
  time: 0,
});
const reply = (messages: ChatMessage[], lastSeq: number, epoch = 'e1', recovered = true): HistoryReply => ({
  messages,
  lastSeq,
  epoch,
  recovered,
});
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Followers of several rooms, each room's history route answering from its own log; records what each room delivers and asks. */
function setup(logs: Record<string, RoomMessage[]>) {
  const followers = new RoomFollowers();
  const delivered: string[] = [];
  const asked: { rid: string; afterSeq: number }[] = [];
  const lost: string[] = [];
  const follow = (rid: string): void =>
    void followers.add(rid, {
      async fetchHistory(afterSeq) {
        asked.push({ rid, afterSeq });
        const log = logs[rid] ?? [];
        return reply(
          log.filter((m) => m.seq > afterSeq),
          Math.max(0, ...log.map((m) => m.seq)),
        );
      },
      deliver: (m) => delivered.push(m.msg),
      lost: () => lost.push(rid),
    });
  return { followers, delivered, asked, lost, follow };
}

describe('RoomFollowers: one follower per room of a connection', () => {
  it("routes each room's pushes to its follower: seq 1 of one room is no repeat of seq 1 of another", () => {
    const { followers, delivered, follow } = setup({});
    follow('a');
    follow('b');
    followers.get('a')!.entered(reply([], 0));
    followers.get('b')!.entered(reply([], 0));
    followers.chat(msg('a', 1));
    followers.chat(msg('b', 1));
    followers.chat(msg('a', 2));
    followers.chat(msg('b', 1));
    followers.chat(msg('b', 2));
    expect(delivered).toEqual(['a-1', 'b-1', 'a-2', 'b-2']);
  });

  it('fills a gap in one room from that room’s history while the other room goes on', async () => {
    const { followers, delivered, asked, follow } = setup({ b: [msg('b', 1), msg('b', 2), msg('b', 3)] });
    follow('a');
    follow('b');
    followers.get('a')!.entered(reply([], 0));
    followers.get('b')!.entered(reply([msg('b', 1)], 1));
    followers.chat(msg('b', 3));
    followers.chat(msg('a', 1));
    await settle();
    expect(asked).toEqual([{ rid: 'b', afterSeq: 1 }]);
    expect(delivered.filter((t) => t.startsWith('b'))).toEqual(['b-1', 'b-2', 'b-3']);
    expect(delivered.filter((t) => t.startsWith('a'))).toEqual(['a-1']);
  });

  it('catches up on onSeq only in the room it names', async () => {
    const { followers, asked, follow } = setup({ a: [msg('a', 1), msg('a', 2)], b: [] });
    follow('a');
    follow('b');
    followers.get('a')!.entered(reply([msg('a', 1)], 1));
    followers.get('b')!.entered(reply([], 0));
    followers.seq({ rid: 'a', seq: 2, epoch: 'e1' });
    followers.seq({ rid: 'b', seq: 0, epoch: 'e1' });
    await settle();
    expect(asked).toEqual([{ rid: 'a', afterSeq: 1 }]);
  });

  it('after a drop every room holds its pushes until its own reply, and says where it stood', () => {
    const { followers, delivered, follow } = setup({});
    follow('a');
    follow('b');
    followers.get('a')!.entered(reply([msg('a', 1)], 1));
    followers.get('b')!.entered(reply([msg('b', 1), msg('b', 2)], 2));
    followers.suspendAll();
    followers.chat(msg('a', 3));
    followers.chat(msg('b', 3));
    expect(followers.rids().map((rid) => [rid, followers.get(rid)!.position()])).toEqual([
      ['a', { lastSeq: 1, epoch: 'e1' }],
      ['b', { lastSeq: 2, epoch: 'e1' }],
    ]);
    followers.get('b')!.entered(reply([msg('b', 3)], 3));
    followers.get('a')!.entered(reply([msg('a', 2), msg('a', 3)], 3));
    expect(delivered).toEqual(['a-1', 'b-1', 'b-2', 'b-3', 'a-2', 'a-3']);
  });

  it('ignores pushes of a room it no longer follows, and gives a push without rid to the only room', () => {
    const { followers, delivered, follow } = setup({});
    follow('a');
    follow('b');
    followers.get('a')!.entered(reply([], 0));
    followers.remove('b');
    followers.chat(msg('b', 1));
    const { rid: _rid, ...withoutRid } = msg('a', 1);
    followers.chat(withoutRid);
    expect(delivered).toEqual(['a-1']);
    expect(followers.has('b')).toBe(false);
    follow('b');
    followers.chat({ ...msg('b', 1), rid: undefined });
    expect(delivered).toEqual(['a-1']);
  });
});
