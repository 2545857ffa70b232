import { MessageHistory } from '../../bench/baseline/message-history';
import type { ChatMessage } from '../../app/protocol';

const message = (id: number, from = 'ann', target = '*'): ChatMessage => ({ id, seq: id, msg: `m${id}`, from, target, time: id });

describe('MessageHistory (the baseline server`s)', () => {
  it('keeps the last `capacity` messages, oldest first, through several turns of the ring', () => {
    const history = new MessageHistory(3);
    for (let id = 1; id <= 8; id++) history.append(message(id));
    expect(history.all().map((m) => m.id)).toEqual([6, 7, 8]);
  });

  it('keeps nothing with capacity 0', () => {
    const history = new MessageHistory(0);
    history.append(message(1));
    expect(history.all()).toEqual([]);
  });

  it('shows a user the broadcasts and their own privates after an id, not the privates of others', () => {
    const history = new MessageHistory(10);
    history.append(message(1));
    history.append(message(2, 'ann', 'bob'));
    history.append(message(3, 'bob', 'cat'));
    history.append(message(4, 'cat', 'ann'));
    history.append(message(5));
    expect(history.visibleAfter(0, 'ann').map((m) => m.id)).toEqual([1, 2, 4, 5]);
    expect(history.visibleAfter(2, 'ann').map((m) => m.id)).toEqual([4, 5]);
    expect(history.visibleAfter(0, 'dan').map((m) => m.id)).toEqual([1, 5]);
    expect(history.visibleAfter(5, 'ann')).toEqual([]);
  });
});
