import type { ChaosResult } from '../../bench/chaos/chaos-run';
import type { FaultRecord } from '../../bench/chaos/faults';
import { PushOrder } from '../../bench/chaos/push-order';
import { failures, outcome, renderChaosReport } from '../../bench/chaos/report';
import { judge, longestOutage, type Store } from '../../bench/chaos/verdict';
import { VerifyingClient } from '../../bench/chaos/verifying-client';
import { chaosLayout } from '../../bench/chaos/layout';
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

/** Pushes on one socket of `client`, as they came off the wire (seq n has id 1000 + n). */
function pushed(client: VerifyingClient, seqs: number[]): void {
  const wire = new PushOrder((b) => client.breach(b));
  wire.epochIs('e1');
  for (const seq of seqs) wire.push({ id: 1000 + seq, seq, msg: `m${seq}`, from: 's', target: '*', time: 0 });
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

const fault = (kind: FaultRecord['kind'], at: number, rooms: string[] = []): FaultRecord => ({
  kind,
  target: 'chat-server-1',
  at: (at - T0) / 1000,
  tookMs: 500,
  rooms,
  startedAt: at,
  endedAt: at + 500,
});

/** The run's exit code, the way run.ts comes to it: judge, then failures, then outcome. */
function exitCodeOf(clients: VerifyingClient[], faults: FaultRecord[], store: Store): { exitCode: 0 | 1; line: string; table: string } {
  const verdict = judge(clients, faults, store, T0);
  const result: ChaosResult = {
    ...verdict,
    faults: faults.map(({ startedAt: _s, endedAt: _e, upAt: _u, ...rest }, i) => ({
      ...rest,
      recoveredFalse: verdict.lostNoticesByFault[i]!,
    })),
    sends: 0,
    connections: { count: clients.length, roomsEach: 1, usersOnTwoDevices: 0 },
    refusals: {},
    reentries: { count: 0 },
    entryFailures: {},
    notBack: [],
    latencyMs: { p50: 0, p99: 0, max: 0 },
    answerMs: { p50: 0, p99: 0, max: 0 },
    timeline: [],
    startedPids: [],
  };
  return { ...outcome(failures(result, [])), table: renderChaosReport(result) };
}

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

  it('counts a seq pushed twice to one socket, and one pushed after a later one, as they came off the wire', () => {
    const sender = member('s', 'r', ['m1', 'm2', 'm3'], [{ text: 'm1', at: T0 }]);
    const twice = member('v1', 'r', ['m1', 'm2', 'm3']);
    pushed(twice, [1, 2, 2, 3]);
    const reordered = member('v2', 'r', ['m1', 'm2', 'm3']);
    pushed(reordered, [1, 3, 2]);
    // A re-entry is a new socket: the same seqs pushed again there are no repeat.
    const reentered = member('v3', 'r', ['m1', 'm2', 'm3']);
    pushed(reentered, [1, 2]);
    pushed(reentered, [2, 3]);
    const verdict = judge([sender, twice, reordered, reentered], [], 'redis', T0);
    expect(verdict).toMatchObject({ lost: 0, duplicated: 1, outOfOrder: 1 });
    expect(verdict.evidence.duplicated).toEqual([expect.objectContaining({ member: 'v1', seq: 2, where: 'pushes' })]);
    expect(verdict.evidence.outOfOrder).toEqual([expect.objectContaining({ member: 'v2', seq: 2, after: 3 })]);
  });

  it('fails the run (exit code 1) on a loss, a repeat or a reordered push, and passes it (0) when there is none', () => {
    const clean = (): VerifyingClient[] => {
      const texts = ['m1', 'm2'];
      const sender = member(
        's',
        'r',
        texts,
        texts.map((text, i) => ({ text, at: T0 + i })),
      );
      const v1 = member('v1', 'r', texts);
      pushed(v1, [1, 2]);
      return [sender, v1];
    };
    expect(exitCodeOf(clean(), [], 'redis')).toMatchObject({ exitCode: 0, line: 'passed: nothing lost, duplicated or reordered' });

    const [sender, v1] = clean();
    v1!.seen.delete('m2');
    expect(exitCodeOf([sender!, v1!], [], 'redis')).toMatchObject({ exitCode: 1, line: 'FAILED: 1 messages lost' });

    const [s2, twice] = clean();
    pushed(twice!, [1, 1]);
    expect(exitCodeOf([s2!, twice!], [], 'redis')).toMatchObject({ exitCode: 1, line: 'FAILED: 1 deliveries twice' });

    const [s3, reordered] = clean();
    pushed(reordered!, [2, 1]);
    expect(exitCodeOf([s3!, reordered!], [], 'redis')).toMatchObject({ exitCode: 1, line: 'FAILED: 1 deliveries out of seq order' });
  });

  it("counts recovered:false per fault, and fails the run on one that no kill -9 of the room's memory log explains", () => {
    const sender = member('s', 'r', [], [], [T0 + 1100]);
    const v1 = member('v1', 'r', [], [], [T0 + 1200, T0 + 5100]);
    const other = member('v1', 'q', [], [], [T0 + 5200]);
    const faults = [
      killChat(['r'], T0 + 1000, T0 + 1050),
      fault('graceful-restart', T0 + 3000, ['r']),
      fault('reload', T0 + 5000, ['r', 'q']),
    ];
    const verdict = judge([sender, v1, other], faults, 'memory', T0);
    expect(verdict).toMatchObject({ lostNotices: 4, lostNoticesByFault: [2, 0, 2], unexplainedNotices: 1 });
    // Room r's log was killed at 1 s: its members' notices after that are explained; room q's is not.
    expect(verdict.evidence.unexplainedNotices).toEqual([{ member: 'v1', rid: 'q', at: 5.2 }]);
    const { exitCode, line, table } = exitCodeOf([sender, v1, other], faults, 'memory');
    expect({ exitCode, line }).toEqual({ exitCode: 1, line: 'FAILED: 1 members told recovered:false with no kill -9 of their log' });
    expect(table).toMatch(/after each kind of fault\s+kill-chat 2, graceful-restart 0, reload 2/);
    // On Redis no kill loses a log: every notice fails the run.
    expect(judge([sender, v1, other], faults, 'redis', T0)).toMatchObject({ unexplainedNotices: 4 });
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

describe('the chaos verdict on connections in several rooms, users on several devices', () => {
  /** A connection in `rids`: `seen[rid]` the texts it saw there, `sent[rid]` its sends answered 200 there. */
  function connection(
    name: string,
    rids: string[],
    seen: Record<string, string[]>,
    sent: Record<string, string[]> = {},
    device = 1,
  ): VerifyingClient {
    const client = new VerifyingClient(gate, name, rids, { device });
    for (const rid of rids) {
      const track = client.track(rid);
      for (const text of seen[rid] ?? []) track.seen.set(text, { msg: text } as ChatMessage);
      track.accepted.push(...(sent[rid] ?? []).map((text, i) => ({ text, seq: i + 1, answeredAt: T0 + i })));
    }
    return client;
  }
  const both = { a: ['a1', 'a2'], b: ['b1', 'b2'] };

  it('passes when every connection of every member saw every message of each of its rooms', () => {
    const sender = connection('s', ['a', 'b'], both, both);
    const v1 = connection('v1', ['a', 'b'], both);
    const v1Phone = connection('v1', ['a', 'b'], both, {}, 2);
    const onlyB = connection('v2', ['b'], { b: both.b });
    expect(exitCodeOf([sender, v1, v1Phone, onlyB], [], 'redis')).toMatchObject({ exitCode: 0 });
    expect(judge([sender, v1, v1Phone, onlyB], [], 'redis', T0)).toMatchObject({ accepted: 4, lost: 0 });
  });

  it('fails the run when a connection misses a message in its second room', () => {
    const sender = connection('s', ['a', 'b'], both, both);
    const v1 = connection('v1', ['a', 'b'], { a: both.a, b: ['b1'] });
    const verdict = judge([sender, v1], [], 'redis', T0);
    expect(verdict).toMatchObject({ lost: 1, lostDeliveries: 1 });
    expect(verdict.evidence.lost).toEqual([expect.objectContaining({ member: 'v1', rid: 'b', text: 'b2', seq: 2 })]);
    expect(exitCodeOf([sender, v1], [], 'redis')).toMatchObject({ exitCode: 1, line: 'FAILED: 1 messages lost' });
  });

  it("fails it when a user's second device misses a message the first got, its own user's included", () => {
    const sender = connection('s', ['a'], { a: ['a1'] }, { a: ['a1'] });
    const senderLaptop = connection('s', ['a'], { a: [] }, {}, 2);
    const verdict = judge([sender, senderLaptop], [], 'redis', T0);
    expect(verdict.evidence.lost).toEqual([expect.objectContaining({ member: 's#2', rid: 'a', text: 'a1' })]);
    expect(exitCodeOf([sender, senderLaptop], [], 'redis').exitCode).toBe(1);
  });

  it("checks the order of each room's pushes on its own: seq 1 in one room after seq 5 in another is no breach", () => {
    const v1 = connection('v1', ['a', 'b'], {});
    const push = (rid: string, seqs: number[]): void => {
      const track = v1.track(rid);
      track.epochIs('e1');
      for (const seq of seqs) track.pushed({ id: 1000 + seq, seq, msg: `${rid}${seq}`, from: 's', target: '*', time: 0 });
    };
    for (const rid of ['a', 'b']) v1.track(rid).newSocket();
    push('a', [1, 2, 5]);
    push('b', [1, 2]);
    expect(v1.violations).toEqual([]);
    push('b', [4, 3]);
    expect(v1.violations).toEqual([expect.objectContaining({ kind: 'order', rid: 'b', seq: 3, after: 4, member: 'v1' })]);
  });

  it("explains a recovered:false in a room whose memory log was killed, not one in the connection's other room", () => {
    const v1 = connection('v1', ['a', 'b'], {});
    v1.track('b').lostNoticeTimes.push(T0 + 1200);
    v1.track('a').lostNoticeTimes.push(T0 + 1300);
    const verdict = judge([v1], [killChat(['b'], T0 + 1000, T0 + 1100)], 'memory', T0);
    expect(verdict).toMatchObject({ lostNotices: 2, unexplainedNotices: 1 });
    expect(verdict.evidence.unexplainedNotices).toEqual([{ member: 'v1', rid: 'a', at: 1.3 }]);
  });
});

describe('the chaos layout', () => {
  it('puts every connection in 3 rooms, every room among the connections of 3 home groups, and some users on two devices', () => {
    const layout = chaosLayout({ rooms: 4, members: 2, roomsPerConnection: 3, multiDevice: true });
    expect(layout.every((c) => c.rids.length === 3 && new Set(c.rids).size === 3)).toBe(true);
    expect(layout.filter((c) => c.username === 'h0-v1').map((c) => [c.device, c.rids])).toEqual([
      [1, ['chaos-room-0', 'chaos-room-1', 'chaos-room-2']],
      [2, ['chaos-room-0', 'chaos-room-1', 'chaos-room-2']],
    ]);
    // Per home group: v1 on 2 devices, v2 on 1, the sender on 2.
    expect(layout.filter((c) => c.rids[0] === 'chaos-room-3').map((c) => `${c.username}#${c.device}`)).toEqual([
      'h3-v1#1',
      'h3-v1#2',
      'h3-v2#1',
      'h3-s#1',
      'h3-s#2',
    ]);
    const homesIn = (rid: string): Set<string> => new Set(layout.filter((c) => c.rids.includes(rid)).map((c) => c.rids[0]!));
    expect(homesIn('chaos-room-1')).toEqual(new Set(['chaos-room-1', 'chaos-room-0', 'chaos-room-3']));
    expect(chaosLayout({ rooms: 2, members: 1, roomsPerConnection: 3, multiDevice: false }).map((c) => c.rids.length)).toEqual([
      2, 2, 2, 2,
    ]);
  });
});
