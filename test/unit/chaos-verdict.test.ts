import type { FaultRecord } from '../../bench/chaos/faults';
import { judge, longestOutage } from '../../bench/chaos/verdict';
import { VerifyingClient } from '../../bench/chaos/verifying-client';
import type { ChatMessage } from '../../app/protocol';

const T0 = 1_000_000;
const gate = { host: '127.0.0.1', port: 1 };

/** A client of room `rid` that sent `sent` (answered 200 at the given times) and saw `seen` texts. */
function member(
  name: string,
  rid: string,
  seen: string[],
  sent: { text: string; at: number }[] = [],
  toldLostAt: number[] = [],
): VerifyingClient {
  const client = new VerifyingClient(gate, name, rid);
  for (const text of seen) client.seen.set(text, { msg: text } as ChatMessage);
  client.accepted.push(...sent.map((s, i) => ({ text: s.text, seq: i + 1, answeredAt: s.at })));
  client.lostNoticeTimes.push(...toldLostAt);
  return client;
}

const killChat = (rooms: string[], at: number, upAt: number): FaultRecord => ({
  kind: 'kill-chat',
  target: 'chat-server-1',
  at: (at - T0) / 1000,
  tookMs: upAt - at + 200,
  rooms,
  startedAt: at,
  endedAt: upAt + 200,
  upAt,
});

describe('the chaos verdict', () => {
  it('counts a message answered 200 that a member never got as lost', () => {
    const sender = member(
      's',
      'r',
      ['a', 'b'],
      [
        { text: 'a', at: T0 },
        { text: 'b', at: T0 + 10 },
      ],
    );
    const verdict = judge([sender, member('v1', 'r', ['a'])], [], 'memory', T0);
    expect(verdict).toMatchObject({ accepted: 2, lost: 1, lostDeliveries: 1, lostWithLog: 0 });
    expect(verdict.evidence.lost[0]).toMatchObject({ member: 'v1', rid: 'r', text: 'b', seq: 2 });
  });

  it('with the memory store, excuses a loss in a room whose chat server was killed, when the member was told', () => {
    const sender = member('s', 'r', ['a'], [{ text: 'a', at: T0 + 900 }]);
    const told = member('v1', 'r', [], [], [T0 + 1500]);
    const verdict = judge([sender, told], [killChat(['r'], T0 + 1000, T0 + 1400)], 'memory', T0);
    expect(verdict).toMatchObject({ lost: 0, lostWithLog: 1 });
  });

  it('does not excuse it when the member was not told, the room was not on the killed server, or the store is Redis', () => {
    const sender = member('s', 'r', ['a'], [{ text: 'a', at: T0 + 900 }]);
    const fault = killChat(['r'], T0 + 1000, T0 + 1400);
    expect(judge([sender, member('v1', 'r', [])], [fault], 'memory', T0)).toMatchObject({ lost: 1, lostWithLog: 0 });
    const told = member('v1', 'r', [], [], [T0 + 1500]);
    expect(judge([sender, told], [killChat(['other'], T0 + 1000, T0 + 1400)], 'memory', T0)).toMatchObject({ lost: 1 });
    expect(judge([sender, told], [fault], 'redis', T0)).toMatchObject({ lost: 1, lostWithLog: 0 });
  });

  it('does not excuse a message the new process answered, nor one answered long before the kill', () => {
    const told = (): VerifyingClient => member('v1', 'r', [], [], [T0 + 20_000]);
    const fault = killChat(['r'], T0 + 15_000, T0 + 16_000);
    const late = member('s', 'r', ['a'], [{ text: 'a', at: T0 + 16_500 }]);
    expect(judge([late, told()], [fault], 'memory', T0)).toMatchObject({ lost: 1 });
    const early = member('s', 'r', ['a'], [{ text: 'a', at: T0 + 1000 }]);
    expect(judge([early, told()], [fault], 'memory', T0)).toMatchObject({ lost: 1 });
  });

  it('finds the longest time a room answered no 200', () => {
    const records = [
      { rid: 'a', code: 200, at: T0, ms: 10 },
      { rid: 'a', code: 503, at: T0 + 100, ms: 1000 },
      { rid: 'a', code: 200, at: T0 + 1200, ms: 10 },
      { rid: 'b', code: 200, at: T0 + 100, ms: 10 },
    ];
    expect(longestOutage(records, T0)).toEqual({ ms: 1200, rid: 'a', from: 0 });
  });
});
