import type { ChatMessage } from '../../app/protocol';
import { PushOrder, type PushBreach } from '../../bench/chaos/push-order';

/** Message `seq` of a log whose ids start at `idBase` (ids rise with seq, and a later log starts higher). */
const message = (seq: number, idBase = 1000): ChatMessage => ({
  id: idBase + seq,
  seq,
  msg: `m${idBase}-${seq}`,
  from: 'a',
  target: '*',
  time: 0,
});

function pushes(seqs: (number | ChatMessage)[], epoch = 'e1'): PushBreach[] {
  const breaches: PushBreach[] = [];
  const order = new PushOrder((b) => breaches.push(b));
  order.epochIs(epoch);
  for (const s of seqs) order.push(typeof s === 'number' ? message(s) : s);
  return breaches;
}

describe('the order of the pushes on one socket', () => {
  it('takes rising seqs, gaps included', () => {
    expect(pushes([1, 2, 4, 7, 8])).toEqual([]);
  });

  it('reports a seq pushed twice, also when others came between', () => {
    expect(pushes([1, 2, 2])).toEqual([{ kind: 'duplicate', epoch: 'e1', seq: 2, after: 2, text: 'm1000-2' }]);
    expect(pushes([1, 2, 3, 2]).map((b) => b.kind)).toEqual(['duplicate']);
  });

  it('reports a seq below the one pushed before it', () => {
    expect(pushes([1, 3, 2])).toEqual([{ kind: 'order', epoch: 'e1', seq: 2, after: 3, text: 'm1000-2' }]);
  });

  it('starts again in a new epoch, announced (onSeq, a history reply) or not yet (ids went on)', () => {
    const breaches: PushBreach[] = [];
    const order = new PushOrder((b) => breaches.push(b));
    order.epochIs('e1');
    [1, 2, 3].forEach((s) => order.push(message(s)));
    order.epochIs('e2');
    [1, 2].forEach((s) => order.push(message(s, 5000)));
    // The next log's pushes before its onSeq: seq went back, id went on.
    [1, 2].forEach((s) => order.push(message(s, 9000)));
    order.epochIs('e3');
    order.push(message(3, 9000));
    order.push(message(3, 9000));
    expect(breaches).toEqual([{ kind: 'duplicate', epoch: 'e3', seq: 3, after: 3, text: 'm9000-3' }]);
    expect(order.pushes).toBe(9);
  });

  it('does not take a repeat of an older push for a new log', () => {
    expect(pushes([1, 2, 3, message(2)]).map((b) => b.kind)).toEqual(['duplicate']);
    expect(pushes([1, 2, 5, message(4)]).map((b) => b.kind)).toEqual(['order']);
  });
});
