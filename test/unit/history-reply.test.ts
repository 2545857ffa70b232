import { historyReply } from '../../app/servers/chat/history-reply';
import { Room } from '../../app/servers/chat/room';
import { MemoryRoomLog } from '../../app/servers/chat/room-log/memory-room-log';
import { ChannelService } from '../../game-server/services/channel-service';
import { RecordingTransport } from '../helpers/recording-transport';

const CAPACITY = 5;

/** A room whose log holds `sends` (from, target) in order, seq 1, 2, ... */
async function roomWith(sends: [string, string][]): Promise<Room> {
  const log = new MemoryRoomLog(CAPACITY);
  const claim = await log.claim('lobby', null);
  const room = new Room('lobby', new ChannelService(new RecordingTransport()).getOrCreateChannel('lobby'), log, claim);
  for (const [from, target] of sends) await room.publish({ msg: `${from}>${target}`, from, target });
  return room;
}

const broadcasts = (n: number): [string, string][] => Array.from({ length: n }, () => ['ann', '*']);
const seqs = (reply: { messages: { seq: number }[] }): number[] => reply.messages.map((m) => m.seq);

describe('historyReply', () => {
  it('gives a newcomer (no position) every kept message it may see, up to the head', async () => {
    const room = await roomWith([
      ['ann', '*'],
      ['ann', 'bob'],
      ['cat', 'dan'],
      ['bob', '*'],
    ]);
    const reply = await historyReply(room, 'bob', {}, 10);
    expect(seqs(reply)).toEqual([1, 2, 4]);
    expect(reply).toMatchObject({ epoch: room.head().epoch, lastSeq: 4, recovered: true });
    expect(seqs(await historyReply(room, 'dan', {}, 10))).toEqual([1, 3, 4]);
  });

  it('continues after a lastSeq of the same epoch', async () => {
    const room = await roomWith(broadcasts(4));
    const reply = await historyReply(room, 'bob', { lastSeq: 2, epoch: room.head().epoch }, 10);
    expect(seqs(reply)).toEqual([3, 4]);
    expect(reply).toMatchObject({ lastSeq: 4, recovered: true });
    expect(await historyReply(room, 'bob', { lastSeq: 4, epoch: room.head().epoch }, 10)).toMatchObject({ messages: [], recovered: true });
  });

  it('starts from the oldest kept message, not recovered, for a position of another epoch or past the head', async () => {
    const room = await roomWith(broadcasts(3));
    for (const position of [{ lastSeq: 1, epoch: 'an-older-log' }, { lastSeq: 9, epoch: room.head().epoch }, { lastSeq: 9 }]) {
      const reply = await historyReply(room, 'bob', position, 10);
      expect(seqs(reply)).toEqual([1, 2, 3]);
      expect(reply.recovered).toBe(false);
    }
  });

  it('says not recovered when messages after the position were trimmed, and gives what is kept', async () => {
    const room = await roomWith(broadcasts(CAPACITY + 3));
    const trimmed = await historyReply(room, 'bob', { lastSeq: 1, epoch: room.head().epoch }, 10);
    expect(seqs(trimmed)).toEqual([4, 5, 6, 7, 8]);
    expect(trimmed.recovered).toBe(false);
    // Just before the oldest kept one: nothing is missing.
    expect((await historyReply(room, 'bob', { lastSeq: 3, epoch: room.head().epoch }, 10)).recovered).toBe(true);
  });

  it('cut by the limit, covers the log only up to the last message read, even one the user may not see', async () => {
    const room = await roomWith([
      ['ann', '*'],
      ['ann', 'cat'],
      ['ann', '*'],
      ['ann', '*'],
    ]);
    const reply = await historyReply(room, 'bob', { lastSeq: 0, epoch: room.head().epoch }, 2);
    expect(seqs(reply)).toEqual([1]);
    expect(reply.lastSeq).toBe(2);
    const next = await historyReply(room, 'bob', { lastSeq: reply.lastSeq, epoch: reply.epoch }, 2);
    expect(seqs(next)).toEqual([3, 4]);
    expect(next.lastSeq).toBe(4);
  });

  it('serves an older client by lastId: messages with a larger id, recovered only while the log still holds that id', async () => {
    const room = await roomWith(broadcasts(CAPACITY + 2));
    const all = (await room.read(0, 10)).messages;
    const kept = await historyReply(room, 'bob', { lastId: all[1]!.id }, 10);
    expect(seqs(kept)).toEqual([5, 6, 7]);
    expect(kept.recovered).toBe(true);
    const lost = await historyReply(room, 'bob', { lastId: all[0]!.id - 1 }, 10);
    expect(seqs(lost)).toEqual([3, 4, 5, 6, 7]);
    expect(lost.recovered).toBe(false);
  });

  it('answers an empty room with no messages at seq 0', async () => {
    const room = await roomWith([]);
    expect(await historyReply(room, 'bob', {}, 10)).toEqual({ messages: [], epoch: room.head().epoch, lastSeq: 0, recovered: true });
  });
});
