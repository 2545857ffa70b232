import { Route, type HistoryResult } from '../../app/protocol';
import { ChatClient, closeAllSockets, connect, queryEntry, request } from '../helpers/chat-client';
import { TestCluster } from '../helpers/cluster';

describe('the room log on the wire: seq, clientMsgId, the history route, enter with lastSeq (real processes)', () => {
  let cluster: TestCluster;
  let ann: ChatClient;
  let bob: ChatClient;
  const rid = 'log-room';

  beforeAll(async () => {
    cluster = await TestCluster.start({ connectors: 2, chats: 2 });
    ann = await ChatClient.enter(cluster.gate, 'ann', rid);
    bob = await ChatClient.enter(cluster.gate, 'bob', rid);
  });

  afterAll(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  const sendWithId = (client: ChatClient, content: string, clientMsgId: string) =>
    request<{ id: number; seq: number }>(client.socket, Route.send, { content, target: '*', clientMsgId });

  it('numbers a room from 1, and answers a repeated clientMsgId with the first message, delivered once', async () => {
    const first = await sendWithId(ann, 'hello once', 'ann-1');
    const again = await sendWithId(ann, 'hello once', 'ann-1');
    const next = await sendWithId(ann, 'and again', 'ann-2');
    expect(first).toEqual({ code: 200, id: expect.any(Number), seq: 1 });
    expect(again).toEqual(first);
    expect(next).toMatchObject({ code: 200, seq: 2 });

    // seq 2 was appended after the repeat: by the time it arrives, a second copy of seq 1 would have too.
    await bob.waitFor('onChat', (m) => m.seq === 2);
    expect(bob.received('onChat').map((m) => [m.seq, m.msg])).toEqual([
      [1, 'hello once'],
      [2, 'and again'],
    ]);
    expect(bob.entered).toMatchObject({ lastSeq: 0, recovered: true, epoch: expect.any(String) });
  });

  it('answers chat.chatHandler.history for members: after a seq, with the epoch and where the reply stands', async () => {
    const { epoch } = bob.entered;
    const after1 = await request<HistoryResult>(bob.socket, Route.history, { rid, afterSeq: 1, epoch });
    expect(after1).toEqual({
      code: 200,
      messages: [expect.objectContaining({ seq: 2, msg: 'and again' })],
      epoch,
      lastSeq: 2,
      recovered: true,
    });

    const limited = await request<HistoryResult>(bob.socket, Route.history, { rid, limit: 1 });
    expect(limited).toMatchObject({ code: 200, lastSeq: 1, messages: [{ seq: 1 }] });

    const otherEpoch = await request<HistoryResult>(bob.socket, Route.history, { rid, afterSeq: 2, epoch: 'not-this-one' });
    expect(otherEpoch).toMatchObject({ code: 200, epoch, recovered: false, lastSeq: 2 });
    expect(otherEpoch.code === 200 && otherEpoch.messages.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('refuses the history of another room, or before entering (403), and bad positions (400)', async () => {
    expect(await request(bob.socket, Route.history, { rid: 'somewhere-else' })).toMatchObject({ code: 403 });
    const entry = await queryEntry(cluster.gate, 'stranger');
    const stranger = await connect(entry.code === 200 ? entry.host : '', entry.code === 200 ? entry.port : 0);
    expect(await request(stranger, Route.history, { rid })).toMatchObject({ code: 403 });
    stranger.disconnect();
    expect(await request(bob.socket, Route.history, { rid, afterSeq: -1 })).toEqual({ code: 400, error: 'afterSeq must not be negative' });
    expect(await request(bob.socket, Route.history, { rid, limit: 0 })).toEqual({ code: 400, error: 'limit must be at least 1' });
    expect(await request(bob.socket, Route.send, { content: 'x', target: '*', clientMsgId: '' })).toMatchObject({ code: 400 });
    expect(await request(bob.socket, Route.send, { content: 'x', target: '*', clientMsgId: 'c'.repeat(65) })).toMatchObject({ code: 400 });
  });

  it('answers an enter with lastSeq and epoch with what came after; an older client with lastId the same; another epoch with recovered: false', async () => {
    const { epoch } = ann.entered;
    const carol = await ChatClient.enter(cluster.gate, 'carol', rid, { lastSeq: 1, epoch });
    expect(carol.entered).toMatchObject({ epoch, lastSeq: 2, recovered: true });
    expect(carol.entered.history.map((m) => m.seq)).toEqual([2]);

    const firstId = bob.received('onChat')[0]!.id;
    const dave = await ChatClient.enter(cluster.gate, 'dave', rid, { lastId: firstId });
    expect(dave.entered.history.map((m) => m.seq)).toEqual([2]);

    const eve = await ChatClient.enter(cluster.gate, 'eve', rid, { lastSeq: 5, epoch: 'gone' });
    expect(eve.entered).toMatchObject({ epoch, recovered: false });
    expect(eve.entered.history.map((m) => m.seq)).toEqual([1, 2]);
  });
});
