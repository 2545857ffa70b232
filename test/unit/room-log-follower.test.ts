import { RoomLogFollower } from '../../app/client/room-log-follower';
import type { ChatMessage, HistoryReply } from '../../app/protocol';

const msg = (seq: number, target = '*'): ChatMessage => ({ id: 1000 + seq, seq, msg: `m${seq}`, from: 'ann', target, time: 0 });
const reply = (messages: ChatMessage[], lastSeq: number, epoch = 'e1', recovered = true): HistoryReply => ({
  messages,
  lastSeq,
  epoch,
  recovered,
});

/** A follower whose history route answers from `log` (this user's view of it) and records what it delivers. */
function setup(log: ChatMessage[], epoch = 'e1') {
  const delivered: number[] = [];
  const asked: { afterSeq: number; epoch?: string }[] = [];
  let lost = 0;
  const state = { log, epoch, head: () => Math.max(0, ...state.log.map((m) => m.seq)) };
  const follower = new RoomLogFollower({
    async fetchHistory(afterSeq, askedEpoch) {
      asked.push({ afterSeq, ...(askedEpoch !== undefined && { epoch: askedEpoch }) });
      if (askedEpoch !== state.epoch) return reply(state.log, state.head(), state.epoch, false);
      return reply(
        state.log.filter((m) => m.seq > afterSeq),
        state.head(),
        state.epoch,
      );
    },
    deliver: (m) => delivered.push(m.seq),
    lost: () => lost++,
  });
  return { follower, delivered, asked, state, lost: () => lost };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('RoomLogFollower', () => {
  it('delivers the history of the enter reply, then pushes in seq order, each once', () => {
    const { follower, delivered, asked } = setup([]);
    follower.entered(reply([msg(1), msg(2)], 2));
    follower.chat(msg(2));
    follower.chat(msg(3));
    follower.chat(msg(3));
    expect(delivered).toEqual([1, 2, 3]);
    expect(asked).toEqual([]);
  });

  it('holds pushes that arrive before the enter reply and drops those the reply already holds', () => {
    const { follower, delivered } = setup([]);
    follower.chat(msg(3));
    follower.chat(msg(4));
    follower.entered(reply([msg(1), msg(2), msg(3)], 3));
    expect(delivered).toEqual([1, 2, 3, 4]);
  });

  it('fills a gap from the history route, in order, and delivers what waited behind it', async () => {
    const log = [msg(1), msg(2), msg(3), msg(4)];
    const { follower, delivered, asked } = setup(log);
    follower.entered(reply([msg(1)], 1));
    follower.chat(msg(4));
    await settle();
    expect(asked).toEqual([{ afterSeq: 1, epoch: 'e1' }]);
    expect(delivered).toEqual([1, 2, 3, 4]);
  });

  it('skips a seq taken by a private message to someone else without asking twice', async () => {
    // This user's view of the log: seq 2 was private between others, so history leaves it out.
    const { follower, delivered, asked } = setup([msg(1), msg(3)]);
    follower.entered(reply([msg(1)], 1));
    follower.chat(msg(3));
    await settle();
    follower.chat(msg(4));
    expect(delivered).toEqual([1, 3, 4]);
    expect(asked).toHaveLength(1);
  });

  it('catches up on onSeq when the log is ahead (a lost tail), and not when it is not', async () => {
    const { follower, delivered, asked, state } = setup([msg(1)]);
    follower.entered(reply([msg(1)], 1));
    follower.seq({ rid: 'lobby', seq: 1, epoch: 'e1' });
    expect(asked).toHaveLength(0);
    state.log.push(msg(2));
    follower.seq({ rid: 'lobby', seq: 2, epoch: 'e1' });
    await settle();
    expect(delivered).toEqual([1, 2]);
  });

  it('says messages may be missing when the log started again, and follows the new one from 1', async () => {
    const { follower, delivered, state, lost } = setup([msg(1), msg(2)]);
    follower.entered(reply([msg(1), msg(2)], 2));
    state.epoch = 'e2';
    state.log = [msg(1)];
    follower.seq({ rid: 'lobby', seq: 0, epoch: 'e2' });
    await settle();
    follower.chat(msg(2));
    expect(lost()).toBe(1);
    expect(delivered).toEqual([1, 2, 1, 2]);
    expect(follower.position()).toEqual({ lastSeq: 2, epoch: 'e2' });
  });

  it('after a drop, drops held pushes and enters again from where it stood', () => {
    const { follower, delivered } = setup([]);
    follower.entered(reply([msg(1)], 1));
    follower.suspend();
    follower.chat(msg(5));
    expect(follower.position()).toEqual({ lastSeq: 1, epoch: 'e1' });
    follower.entered(reply([msg(2), msg(3), msg(4), msg(5)], 5));
    expect(delivered).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('RoomLogFollower of one room on a multi-room connection', () => {
  it('ignores pushes and onSeq of another room, and takes those of its own or without rid', async () => {
    const delivered: number[] = [];
    const asked: number[] = [];
    const follower = new RoomLogFollower(
      {
        async fetchHistory(afterSeq) {
          asked.push(afterSeq);
          return reply([], afterSeq);
        },
        deliver: (m) => delivered.push(m.seq),
        lost: () => undefined,
      },
      'mine',
    );
    follower.entered(reply([msg(1)], 1));
    follower.chat({ ...msg(2), rid: 'other' });
    follower.chat({ ...msg(5), rid: 'other' });
    follower.seq({ rid: 'other', seq: 9, epoch: 'e1' });
    await settle();
    expect({ delivered, asked }).toEqual({ delivered: [1], asked: [] });
    follower.chat({ ...msg(2), rid: 'mine' });
    follower.chat(msg(3));
    expect(delivered).toEqual([1, 2, 3]);
    expect(follower.rid).toBe('mine');
  });
});
