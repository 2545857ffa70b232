import { MemoryRoomLog } from '../../app/servers/chat/room-log/memory-room-log';
import { LogClaimLost, type MessageDraft } from '../../app/servers/chat/room-log/room-log';

let n = 0;
const draft = (from = 'ann', clientMsgId?: string): MessageDraft => ({
  id: ++n,
  msg: `m${n}`,
  from,
  target: '*',
  time: 1000 + n,
  ...(clientMsgId !== undefined && { clientMsgId }),
});

const seqsOf = async (log: MemoryRoomLog, rid: string, afterSeq = 0, limit = 100): Promise<number[]> =>
  (await log.read(rid, afterSeq, limit)).messages.map((m) => m.seq);

describe('MemoryRoomLog', () => {
  it('numbers appends 1, 2, 3 and stores the draft without its clientMsgId', async () => {
    const log = new MemoryRoomLog(10);
    const claim = await log.claim('r', null);
    const first = await log.append(claim, draft('ann', 'c1'));
    expect(first).toEqual({
      message: { id: n, msg: `m${n}`, from: 'ann', target: '*', time: 1000 + n, seq: 1 },
      duplicate: false,
      restarted: false,
    });
    await log.append(claim, draft());
    await log.append(claim, draft());
    expect(claim.lastSeq).toBe(3);
    expect(await seqsOf(log, 'r')).toEqual([1, 2, 3]);
  });

  it('keeps the last `capacity` messages through several turns of the ring, oldest first', async () => {
    const log = new MemoryRoomLog(3);
    const claim = await log.claim('r', null);
    for (let i = 0; i < 10; i++) await log.append(claim, draft());
    const read = await log.read('r', 0, 100);
    expect(read.messages.map((m) => m.seq)).toEqual([8, 9, 10]);
    expect(read).toMatchObject({ lastSeq: 10, firstSeq: 8 });
  });

  it('reads after a seq, at most `limit`, and nothing past the head', async () => {
    const log = new MemoryRoomLog(5);
    const claim = await log.claim('r', null);
    for (let i = 0; i < 7; i++) await log.append(claim, draft());
    expect(await seqsOf(log, 'r', 4)).toEqual([5, 6, 7]);
    expect(await seqsOf(log, 'r', 0, 2)).toEqual([3, 4]);
    expect(await seqsOf(log, 'r', 7)).toEqual([]);
    expect(await seqsOf(log, 'r', 1000)).toEqual([]);
    expect(await seqsOf(log, 'r', 4, 0)).toEqual([]);
  });

  it('answers an empty read for a room it has no log for', async () => {
    expect(await new MemoryRoomLog(5).read('nowhere', 0, 10)).toEqual({ epoch: '', lastSeq: 0, firstSeq: 1, messages: [] });
  });

  it('with capacity 0 still numbers messages but keeps none, and cannot dedupe', async () => {
    const log = new MemoryRoomLog(0);
    const claim = await log.claim('r', null);
    await log.append(claim, draft('ann', 'c'));
    const again = await log.append(claim, draft('ann', 'c'));
    expect(again).toMatchObject({ duplicate: false, message: { seq: 2 } });
    expect(await log.read('r', 0, 10)).toMatchObject({ lastSeq: 2, firstSeq: 3, messages: [] });
  });

  it('answers a repeat with the first message until the ring evicts it, then appends it anew', async () => {
    const log = new MemoryRoomLog(2);
    const claim = await log.claim('r', null);
    const first = await log.append(claim, draft('ann', 'c1'));
    expect(await log.append(claim, draft('ann', 'c1'))).toEqual({ message: first.message, duplicate: true, restarted: false });
    expect(claim.lastSeq).toBe(1);
    await log.append(claim, draft('bob'));
    await log.append(claim, draft('bob'));
    expect(await log.append(claim, draft('ann', 'c1'))).toMatchObject({ duplicate: false, message: { seq: 4 } });
  });

  it('keeps a dedupe key that was appended again after its first copy was evicted', async () => {
    const log = new MemoryRoomLog(2);
    const claim = await log.claim('r', null);
    await log.append(claim, draft('ann', 'c1'));
    await log.append(claim, draft('bob'));
    await log.append(claim, draft('bob'));
    const second = await log.append(claim, draft('ann', 'c1'));
    expect(second).toMatchObject({ duplicate: false, message: { seq: 4 } });
    expect(await log.append(claim, draft('ann', 'c1'))).toMatchObject({ duplicate: true, message: second.message });
    await log.append(claim, draft('bob'));
    expect(await log.append(claim, draft('ann', 'c1'))).toMatchObject({ duplicate: true, message: second.message });
  });

  it('counts a new claim as the only writer: the older claim gets LogClaimLost', async () => {
    const log = new MemoryRoomLog(5);
    const older = await log.claim('r', null);
    const newer = await log.claim('r', null);
    expect(newer.fence).toBeGreaterThan(older.fence);
    expect(newer.epoch).toBe(older.epoch);
    await expect(log.append(older, draft())).rejects.toBeInstanceOf(LogClaimLost);
    await expect(log.append(newer, draft())).resolves.toMatchObject({ message: { seq: 1 } });
  });

  it('refuses an append once the room was released', async () => {
    const log = new MemoryRoomLog(5);
    const claim = await log.claim('r', null);
    log.release('r');
    await expect(log.append(claim, draft())).rejects.toThrow('room r is now written by another chat server');
  });

  it('hands a room over: the release snapshot continues on the next server, dedupe keys included', async () => {
    const from = new MemoryRoomLog(5);
    const claim = await from.claim('r', null);
    const sent = await from.append(claim, draft('ann', 'c1'));
    await from.append(claim, draft());
    const snapshot = from.release('r')!;
    expect(snapshot).toMatchObject({ epoch: claim.epoch, lastSeq: 2 });
    expect(from.release('r')).toBeNull();

    const to = new MemoryRoomLog(5);
    const moved = await to.claim('r', snapshot);
    expect(moved).toMatchObject({ epoch: claim.epoch, lastSeq: 2 });
    expect(await to.append(moved, draft('ann', 'c1'))).toMatchObject({ duplicate: true, message: sent.message });
    expect((await to.append(moved, draft())).message.seq).toBe(3);
  });

  it('trims a handed-over log longer than its own capacity to the newest entries', async () => {
    const from = new MemoryRoomLog(6);
    const claim = await from.claim('r', null);
    for (let i = 0; i < 6; i++) await from.append(claim, draft());
    const to = new MemoryRoomLog(2);
    await to.claim('r', from.release('r'));
    expect(await to.read('r', 0, 10)).toMatchObject({ firstSeq: 5, lastSeq: 6 });
    expect(await seqsOf(to, 'r')).toEqual([5, 6]);
  });

  it('ignores a snapshot for a room whose log it already holds', async () => {
    const log = new MemoryRoomLog(5);
    const claim = await log.claim('r', null);
    await log.append(claim, draft());
    const again = await log.claim('r', { epoch: 'other', lastSeq: 40, entries: [] });
    expect(again).toMatchObject({ epoch: claim.epoch, lastSeq: 1 });
  });

  it('continues a log restored from the rooms file: same epoch, the next seq, repeats still found', async () => {
    const before = new MemoryRoomLog(5);
    const claim = await before.claim('r', null);
    const sent = await before.append(claim, draft('ann', 'c1'));
    await before.append(claim, draft());
    const after = new MemoryRoomLog(5);
    after.restore('r', before.release('r')!);
    expect(after.rids()).toEqual(['r']);
    const again = await after.claim('r', null);
    expect(again).toMatchObject({ epoch: claim.epoch, lastSeq: 2 });
    expect(await after.append(again, draft('ann', 'c1'))).toMatchObject({ duplicate: true, message: sent.message });
    expect((await after.append(again, draft())).message.seq).toBe(3);
  });

  it('lets a restored log give way to one a peer hands over (the room lived elsewhere since), but not a claimed one', async () => {
    const log = new MemoryRoomLog(5);
    log.restore('r', { epoch: 'old', lastSeq: 7, entries: [] });
    expect(await log.claim('r', { epoch: 'newer', lastSeq: 3, entries: [] })).toMatchObject({ epoch: 'newer', lastSeq: 3 });
    log.restore('r', { epoch: 'old', lastSeq: 7, entries: [] });
    expect(await log.claim('r', null)).toMatchObject({ epoch: 'newer', lastSeq: 3 });
  });

  it('gives separate rooms separate seqs and epochs, and forgets everything on close', async () => {
    const log = new MemoryRoomLog(5);
    const a = await log.claim('a', null);
    const b = await log.claim('b', null);
    await log.append(a, draft());
    await log.append(a, draft());
    expect((await log.append(b, draft())).message.seq).toBe(1);
    expect(a.epoch).not.toBe(b.epoch);
    await log.close();
    expect((await log.read('a', 0, 10)).messages).toEqual([]);
    expect(log.release('b')).toBeNull();
  });
});
