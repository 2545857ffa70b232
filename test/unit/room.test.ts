import { Room } from '../../app/servers/chat/room';
import { MemoryRoomLog } from '../../app/servers/chat/room-log/memory-room-log';
import { LogClaimLost, type AppendResult, type LogClaim, type MessageDraft, type RoomLog } from '../../app/servers/chat/room-log/room-log';
import { Push, type ChatMessage } from '../../app/protocol';
import { ChannelService } from '../../game-server/services/channel-service';
import { RecordingTransport } from '../helpers/recording-transport';

/**
 * A memory log whose appends take the time the test says, one after another from `latencies`; counts
 * overlapping appends. `inOrder`: each append is applied when called and only its reply is late (a
 * store that runs one connection's commands in order, as Redis does); else it is applied when its time
 * is up, so a faster later append gets the lower seq.
 */
class SlowLog extends MemoryRoomLog {
  inFlight = 0;
  maxInFlight = 0;
  failNext = false;
  restartNext = false;
  /** The next append is applied but its reply is lost (a timeout after Redis ran it). */
  loseNextReply = false;

  constructor(
    private readonly latencies: number[],
    private readonly inOrder = true,
  ) {
    super(100);
  }

  /** Per append, whether a handler was attached to its reply (read right after the call: at once). */
  readonly handled: boolean[] = [];

  override append(claim: LogClaim, draft: MessageDraft): Promise<AppendResult> {
    const reply = this.slowAppend(claim, draft);
    const index = this.handled.push(false) - 1;
    const then = reply.then.bind(reply);
    reply.then = ((...args: Parameters<typeof then>) => {
      this.handled[index] = true;
      return then(...args);
    }) as typeof reply.then;
    return reply;
  }

  private async slowAppend(claim: LogClaim, draft: MessageDraft): Promise<AppendResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const { failNext, restartNext, loseNextReply } = this;
    this.failNext = this.restartNext = this.loseNextReply = false;
    try {
      const applied = this.inOrder && !failNext ? super.append(claim, draft) : undefined;
      await new Promise((resolve) => setTimeout(resolve, this.latencies.shift() ?? 0));
      if (failNext) throw new LogClaimLost(claim.rid);
      const result = await (applied ?? super.append(claim, draft));
      if (loseNextReply) throw new Error('timed out');
      return restartNext ? { ...result, restarted: true } : result;
    } finally {
      this.inFlight--;
    }
  }
}

async function roomOn(log: RoomLog, lastId = 0) {
  const transport = new RecordingTransport();
  const channel = new ChannelService(transport).getOrCreateChannel('lobby');
  channel.add('ann*lobby', 'connector-1');
  const claim = await log.claim('lobby', null);
  let published = 0;
  const room = new Room('lobby', channel, log, claim, lastId, () => published++);
  return { room, transport, claim, published: () => published };
}

/** The seqs and texts of the onChat pushes, in the order they left. */
const chats = (transport: RecordingTransport): [number, string][] =>
  transport.pushes
    .filter((p) => p.message.route === Push.chat)
    .map((p) => [(p.message.msg as ChatMessage).seq, (p.message.msg as ChatMessage).msg]);

const say = (msg: string, clientMsgId?: string) => ({ msg, from: 'ann', target: '*', ...(clientMsgId !== undefined && { clientMsgId }) });

describe('Room', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => jest.useRealTimers());

  it('sends appends without waiting for the one before, and pushes in seq order as the replies come', async () => {
    const log = new SlowLog([50, 40, 30, 20, 10]);
    const { room, transport } = await roomOn(log);
    const results = Promise.all(['a', 'b', 'c', 'd', 'e'].map((m) => room.publish(say(m))));
    await jest.advanceTimersByTimeAsync(60);
    const published = await results;

    expect(chats(transport)).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
      [5, 'e'],
    ]);
    expect(published.map((p) => p.message.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(log.maxInFlight).toBe(5);
  });

  it('pushes each message once and in seq order even from a store that ran later appends first', async () => {
    const log = new SlowLog([50, 40, 30, 20, 10], false);
    const { room, transport, published } = await roomOn(log);
    const results = Promise.all(['a', 'b', 'c', 'd', 'e'].map((m) => room.publish(say(m))));
    await jest.advanceTimersByTimeAsync(60);
    expect((await results).map((p) => p.message.msg)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(chats(transport)).toEqual([
      [1, 'e'],
      [2, 'd'],
      [3, 'c'],
      [4, 'b'],
      [5, 'a'],
    ]);
    expect(published()).toBe(5);
  });

  it('pushes a message whose reply was lost (answered 503) before the next one, in order', async () => {
    const log = new SlowLog([]);
    const { room, transport } = await roomOn(log);
    log.loseNextReply = true;
    const lost = room.publish(say('reply lost'));
    const next = room.publish(say('next'));
    await jest.advanceTimersByTimeAsync(10);
    await expect(lost).rejects.toThrow('timed out');
    await expect(next).resolves.toMatchObject({ message: { seq: 2 } });
    expect(chats(transport)).toEqual([
      [1, 'reply lost'],
      [2, 'next'],
    ]);
  });

  it('pushes a message whose reply was lost when its retry finds it, if nothing came after it', async () => {
    const log = new SlowLog([]);
    const { room, transport } = await roomOn(log);
    log.loseNextReply = true;
    const lost = room.publish(say('reply lost', 'c1'));
    await jest.advanceTimersByTimeAsync(10);
    await expect(lost).rejects.toThrow('timed out');
    expect(chats(transport)).toEqual([]);
    const retry = room.publish(say('reply lost', 'c1'));
    await jest.advanceTimersByTimeAsync(10);
    await expect(retry).resolves.toMatchObject({ message: { seq: 1 }, duplicate: true });
    const again = room.publish(say('reply lost', 'c1'));
    await jest.advanceTimersByTimeAsync(10);
    await again;
    expect(chats(transport)).toEqual([[1, 'reply lost']]);
  });

  it('gives each message an id above the clock in microseconds, or above the lastId it was created with', async () => {
    const base = Date.now() * 1000;
    const { room } = await roomOn(new MemoryRoomLog(10));
    const first = await room.publish(say('a'));
    const second = await room.publish(say('b'));
    expect(first.message.id).toBe(base + 1);
    expect(second.message.id).toBe(base + 2);
    expect(room.currentLastId).toBe(base + 2);
    expect(first.message.time).toBe(Date.now());

    const { room: moved } = await roomOn(new MemoryRoomLog(10), base + 500);
    expect((await moved.publish(say('c'))).message.id).toBe(base + 501);
  });

  it('answers a repeated send with the first message, without delivering or counting it again', async () => {
    const { room, transport, published } = await roomOn(new MemoryRoomLog(10));
    const first = await room.publish(say('hi', 'c1'));
    const again = await room.publish(say('hi', 'c1'));
    expect(again).toEqual({ message: first.message, duplicate: true, restarted: false });
    expect(chats(transport)).toHaveLength(1);
    expect(published()).toBe(1);
    expect(room.head().seq).toBe(1);
  });

  it('rejects the publish whose append failed and goes on with the next one', async () => {
    const log = new SlowLog([]);
    const { room, transport, published } = await roomOn(log);
    log.failNext = true;
    const failed = room.publish(say('lost'));
    const next = room.publish(say('kept'));
    await jest.advanceTimersByTimeAsync(10);
    await expect(failed).rejects.toBeInstanceOf(LogClaimLost);
    await expect(next).resolves.toMatchObject({ message: { seq: 1, msg: 'kept' } });
    expect(chats(transport)).toEqual([[1, 'kept']]);
    expect(published()).toBe(1);
  });

  it('handles each append at once, so one that fails while an earlier one is under way is not an unhandled rejection', async () => {
    // Node ends the process on a rejection nobody handled by the end of the turn: a chat server died this way
    // when Redis failed over with appends in flight (the failing one waited behind a slower one).
    const log = new SlowLog([50, 0]);
    const { room, transport } = await roomOn(log);
    const slow = room.publish(say('slow'));
    log.failNext = true;
    const failed = room.publish(say('fails first')).catch((err: unknown) => err);
    expect(log.handled).toEqual([true, true]);
    await jest.advanceTimersByTimeAsync(60);
    await expect(slow).resolves.toMatchObject({ message: { seq: 1, msg: 'slow' } });
    expect(await failed).toBeInstanceOf(LogClaimLost);
    expect(chats(transport)).toEqual([[1, 'slow']]);
  });

  it('announces a log that started again (onSeq with the seq before the message) before delivering the message', async () => {
    const log = new SlowLog([]);
    const { room, transport, claim } = await roomOn(log);
    log.restartNext = true;
    const publishing = room.publish(say('first after the loss'));
    await jest.advanceTimersByTimeAsync(10);
    await publishing;
    expect(transport.pushes[0]!.message).toEqual({ route: Push.seq, msg: { rid: 'lobby', seq: 0, epoch: claim.epoch }, channel: 'lobby' });
    expect(transport.routes()).toEqual([Push.seq, Push.chat]);
  });

  it('idle waits for every append already started', async () => {
    const { room } = await roomOn(new SlowLog([100, 200]));
    void room.publish(say('a'));
    void room.publish(say('b'));
    let idle = false;
    void room.idle().then(() => (idle = true));
    await jest.advanceTimersByTimeAsync(150);
    expect(idle).toBe(false);
    await jest.advanceTimersByTimeAsync(50);
    expect(idle).toBe(true);
    expect(room.head().seq).toBe(2);
  });

  it('lists its members by username and reads its log', async () => {
    const { room } = await roomOn(new MemoryRoomLog(10));
    room.channel.add('bob*lobby', 'connector-2');
    expect(room.users()).toEqual(['ann', 'bob']);
    await room.publish(say('a'));
    await room.publish(say('b'));
    expect((await room.read(1, 10)).messages.map((m) => m.msg)).toEqual(['b']);
  });
});
