import { readState } from '../../app/servers/chat/read-markers';
import { MemoryRoomLog } from '../../app/servers/chat/room-log/memory-room-log';

async function logWith(capacity: number, messages: { from: string; target: string }[]): Promise<MemoryRoomLog> {
  const log = new MemoryRoomLog(capacity);
  const claim = await log.claim('r', null);
  for (const [i, m] of messages.entries()) await log.append(claim, { id: i + 1, msg: `m${i}`, time: 0, ...m });
  return log;
}

describe('readState', () => {
  it("counts others' messages the user may see after the marker: not privates between others, not the user's own", async () => {
    const log = await logWith(10, [
      { from: 'bob', target: '*' },
      { from: 'bob', target: 'cat' },
      { from: 'bob', target: 'ann' },
      { from: 'ann', target: '*' },
      { from: 'cat', target: '*' },
    ]);
    expect(await readState(log, 'r', 'ann', 5, 10)).toEqual({ readSeq: 0, unread: 3 });
    await log.markRead('r', 'ann', 1);
    expect(await readState(log, 'r', 'ann', 5, 10)).toEqual({ readSeq: 1, unread: 2 });
    await log.markRead('r', 'ann', 5);
    expect(await readState(log, 'r', 'ann', 5, 10)).toEqual({ readSeq: 5, unread: 0 });
  });

  it('counts every trimmed message after the marker as unread', async () => {
    const log = await logWith(
      2,
      Array.from({ length: 6 }, () => ({ from: 'bob', target: '*' })),
    );
    await log.markRead('r', 'ann', 1);
    // Seqs 2..4 are gone from the log (3 messages), 5 and 6 are kept.
    expect(await readState(log, 'r', 'ann', 6, 2)).toEqual({ readSeq: 1, unread: 5 });
  });
});
