import { Room } from '../../app/servers/chat/room';
import { MemoryRoomLog } from '../../app/servers/chat/room-log/memory-room-log';
import { LogClaimLost, type AppendResult, type LogClaim, type MessageDraft, type RoomLog } from '../../app/servers/chat/room-log/room-log';
import { Push, type ChatMessage } from '../../app/protocol';
import { ChannelService } from '../../game-server/services/channel-service';
import { RecordingTransport } from '../helpers/recording-transport';

/** A memory log whose appends take the time the test says, one after another from `latencies`; counts overlapping appends. */
class SlowLog extends MemoryRoomLog {
  inFlight = 0;
  maxInFlight = 0;
  failNext = false;
  restartNext = false;

  constructor(private readonly latencies: number[]) {
    super(100);
  }

  override async append(claim: LogClaim, draft: MessageDraft): Promise<AppendResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.latencies.shift() ?? 0));
      if (this.failNext) {
        this.failNext = false;
        throw new LogClaimLost(claim.rid);
      }
      const result = await super.append(claim, draft);
      if (this.restartNext) {
        this.restartNext = false;
        return { ...result, restarted: true };
      }
      return result;
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

const say = (msg: string, clientMsgId?: string) => ({ msg, from: 'ann', target: '*', ...(clientMsgId !== undefined && { clientMsgId }) });

describe('Room', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => jest.useRealTimers());

  it('delivers concurrent publishes in seq order, one append at a time, even when later appends are faster', async () => {
    const log = new SlowLog([50, 40, 30, 20, 10]);
    const { room } = await roomOn(log);
    const delivered: ChatMessage[] = [];
    const results = Promise.all(['a', 'b', 'c', 'd', 'e'].map((m) => room.publish(say(m), (message) => delivered.push(message))));
    await jest.advanceTimersByTimeAsync(200);
    const published = await results;

    expect(delivered.map((m) => [m.seq, m.msg])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
      [5, 'e'],
    ]);
    expect(published.map((p) => p.message.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(log.maxInFlight).toBe(1);
  });

  it('gives each message an id above the clock in microseconds, or above the lastId it was created with', async () => {
    const base = Date.now() * 1000;
    const { room } = await roomOn(new MemoryRoomLog(10));
    const first = await room.publish(say('a'), () => undefined);
    const second = await room.publish(say('b'), () => undefined);
    expect(first.message.id).toBe(base + 1);
    expect(second.message.id).toBe(base + 2);
    expect(room.currentLastId).toBe(base + 2);
    expect(first.message.time).toBe(Date.now());

    const { room: moved } = await roomOn(new MemoryRoomLog(10), base + 500);
    expect((await moved.publish(say('c'), () => undefined)).message.id).toBe(base + 501);
  });

  it('answers a repeated send with the first message, without delivering or counting it again', async () => {
    const { room, published } = await roomOn(new MemoryRoomLog(10));
    const deliver = jest.fn();
    const first = await room.publish(say('hi', 'c1'), deliver);
    const again = await room.publish(say('hi', 'c1'), deliver);
    expect(again).toEqual({ message: first.message, duplicate: true, restarted: false });
    expect(deliver).toHaveBeenCalledTimes(1);
    expect(published()).toBe(1);
    expect(room.head().seq).toBe(1);
  });

  it('rejects the publish whose append failed and goes on with the next one', async () => {
    const log = new SlowLog([]);
    const { room, published } = await roomOn(log);
    log.failNext = true;
    const deliver = jest.fn();
    const failed = room.publish(say('lost'), deliver);
    const next = room.publish(say('kept'), deliver);
    await jest.advanceTimersByTimeAsync(10);
    await expect(failed).rejects.toBeInstanceOf(LogClaimLost);
    await expect(next).resolves.toMatchObject({ message: { seq: 1, msg: 'kept' } });
    expect(deliver).toHaveBeenCalledTimes(1);
    expect(published()).toBe(1);
  });

  it('announces a log that started again (onSeq with the seq before the message) before delivering the message', async () => {
    const log = new SlowLog([]);
    const { room, transport, claim } = await roomOn(log);
    log.restartNext = true;
    const order: string[] = [];
    const publishing = room.publish(say('first after the loss'), () => order.push(`deliver ${transport.routes().join(',')}`));
    await jest.advanceTimersByTimeAsync(10);
    await publishing;
    expect(transport.pushes[0]!.message).toEqual({ route: Push.seq, msg: { rid: 'lobby', seq: 0, epoch: claim.epoch }, channel: 'lobby' });
    expect(order).toEqual([`deliver ${Push.seq}`]);
  });

  it('idle waits for every append already started', async () => {
    const { room } = await roomOn(new SlowLog([100, 100]));
    void room.publish(say('a'), () => undefined);
    void room.publish(say('b'), () => undefined);
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
    await room.publish(say('a'), () => undefined);
    await room.publish(say('b'), () => undefined);
    expect((await room.read(1, 10)).messages.map((m) => m.msg)).toEqual(['b']);
  });
});
