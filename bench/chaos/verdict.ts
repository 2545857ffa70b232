/**
 * What a chaos run's clients saw, judged: messages answered 200 that a member of the room never got
 * (lost), pushed twice or out of seq order, which losses the memory store is allowed by design, and
 * who was told recovered:false after which fault.
 */
import type { FaultRecord } from './faults';
import type { SendRecord } from './traffic';
import { sleep } from '../../game-server/sleep';
import { missingMessages, type MissingDelivery } from './deliveries';
import type { Violation } from './room-track';
import type { VerifyingClient } from './verifying-client';

export type { ChaosStore as Store } from './schedule';
import type { ChaosStore as Store } from './schedule';

/**
 * With the memory store a room's log lives in its chat server: a kill -9 of it loses the log by
 * design, and the room's members are told (`recovered: false`). Such a loss is counted apart, and only
 * when all of this holds: the run killed (kill-chat) the server that owned the room at the time; the
 * message was answered 200 by that process (at most this long before the kill, and before pm2 had
 * started the new one); and the member that misses it was told `recovered: false` after the kill.
 */
export const LOG_LOSS_WINDOW_MS = 10_000;

export const LOSS_RULE =
  'lost: a message answered 200 that a member of its room never got. With --store memory, a loss is counted as lostWithLog ' +
  '(and does not fail the run) only when the run killed -9 the chat server that owned the room, the message was answered by ' +
  `that process (in the ${LOG_LOSS_WINDOW_MS / 1000} s before the kill or until pm2 had a new one), and the member was told recovered:false after the kill. ` +
  'With a Redis store (redis, sentinel, cluster) every loss fails the run. A member told recovered:false fails it too, unless (memory store) the run had killed -9 ' +
  "its room's chat server before.";

export interface LossEvidence {
  member: string;
  rid: string;
  text: string;
  seq: number;
  /** Seconds into the run when the message was answered 200. */
  answeredAt: number;
  /** How often the member (this connection, in this room) was told recovered:false. */
  lostNotices: number;
}

export interface ViolationEvidence extends Violation {
  /** Seconds into the run when the member got it. */
  at?: number;
}

export interface Verdict {
  accepted: number;
  /** Distinct messages answered 200 that some member never got, not excused by the rule. */
  lost: number;
  lostDeliveries: number;
  /** Distinct messages lost with a memory log that a kill -9 took (see LOSS_RULE). */
  lostWithLog: number;
  lostWithLogDeliveries: number;
  duplicated: number;
  outOfOrder: number;
  /** How often members were told recovered:false. */
  lostNotices: number;
  /** The same, by fault (in the order of `faults`): those told from its start until the next fault started. */
  lostNoticesByFault: number[];
  /** Told recovered:false with no kill -9 of its room's chat server on the memory store before it: a log was lost that must not be. */
  unexplainedNotices: number;
  lossRule: string;
  evidence: {
    lost: LossEvidence[];
    lostWithLog: LossEvidence[];
    duplicated: ViolationEvidence[];
    outOfOrder: ViolationEvidence[];
    unexplainedNotices: NoticeEvidence[];
  };
}

export interface NoticeEvidence {
  member: string;
  rid: string;
  /** Seconds into the run when the member was told recovered:false. */
  at: number;
}

const EVIDENCE_KEPT = 20;

/** The faults that lose a room's log by design: a kill -9 of its chat server on the memory store. */
function logKills(faults: readonly FaultRecord[], store: Store, rid: string): FaultRecord[] {
  return store === 'memory' ? faults.filter((f) => f.kind === 'kill-chat' && !f.error && (f.rooms ?? []).includes(rid)) : [];
}

export function judge(clients: readonly VerifyingClient[], faults: readonly FaultRecord[], store: Store, startedAt: number): Verdict {
  const missing = missingMessages(clients);
  const excused = (m: MissingDelivery): boolean =>
    logKills(faults, store, m.rid).some(
      (f) =>
        m.answeredAt >= f.startedAt - LOG_LOSS_WINDOW_MS &&
        m.answeredAt < (f.upAt ?? f.endedAt) &&
        m.member.track(m.rid).lostNoticeTimes.some((t) => t >= f.startedAt),
    );
  // Per room and per connection: each room of each connection is told on its own.
  const notices = clients.flatMap((member) =>
    [...member.tracks].flatMap(([rid, track]) => track.lostNoticeTimes.map((t) => ({ member, rid, t }))),
  );
  const unexplained = notices.filter(({ rid, t }) => !logKills(faults, store, rid).some((f) => t >= f.startedAt));
  const byStart = [...faults].sort((a, b) => a.startedAt - b.startedAt);
  const noticesDuring = (f: FaultRecord): number => {
    const next = byStart.find((g) => g.startedAt > f.startedAt)?.startedAt ?? Infinity;
    return notices.filter(({ t }) => t >= f.startedAt && t < next).length;
  };
  const withLog = missing.filter(excused);
  const lost = missing.filter((m) => !excused(m));
  const evidence = (list: MissingDelivery[]): LossEvidence[] =>
    list.slice(0, EVIDENCE_KEPT).map((m) => ({
      member: m.member.name,
      rid: m.rid,
      text: m.text,
      seq: m.seq,
      answeredAt: (m.answeredAt - startedAt) / 1000,
      lostNotices: m.member.track(m.rid).lostNoticeTimes.length,
    }));
  const violations = clients.flatMap((c) => c.violations);
  const ofKind = (kind: Violation['kind']): Violation[] => violations.filter((v) => v.kind === kind);
  const distinct = (list: MissingDelivery[]): number => new Set(list.map((m) => `${m.rid} ${m.text}`)).size;
  return {
    accepted: clients.reduce((n, c) => n + [...c.tracks.values()].reduce((k, t) => k + t.accepted.length, 0), 0),
    lost: distinct(lost),
    lostDeliveries: lost.length,
    lostWithLog: distinct(withLog),
    lostWithLogDeliveries: withLog.length,
    duplicated: ofKind('duplicate').length,
    outOfOrder: ofKind('order').length,
    lostNotices: notices.length,
    lostNoticesByFault: faults.map(noticesDuring),
    unexplainedNotices: unexplained.length,
    lossRule: LOSS_RULE,
    evidence: {
      lost: evidence(lost),
      lostWithLog: evidence(withLog),
      duplicated: ofKind('duplicate').slice(0, EVIDENCE_KEPT),
      outOfOrder: ofKind('order').slice(0, EVIDENCE_KEPT),
      unexplainedNotices: unexplained
        .slice(0, EVIDENCE_KEPT)
        .map(({ member, rid, t }) => ({ member: member.name, rid, at: (t - startedAt) / 1000 })),
    },
  };
}

/**
 * Waits until no member misses a message answered 200 but those the rule excuses (or `timeoutMs`);
 * returns the verdict then.
 */
export async function waitForVerdict(
  clients: readonly VerifyingClient[],
  faults: readonly FaultRecord[],
  store: Store,
  startedAt: number,
  timeoutMs: number,
): Promise<Verdict> {
  const deadline = Date.now() + timeoutMs;
  let verdict = judge(clients, faults, store, startedAt);
  while (verdict.lostDeliveries > 0 && Date.now() < deadline) {
    await sleep(100);
    verdict = judge(clients, faults, store, startedAt);
  }
  return verdict;
}

/** Refused sends by code; `none` for a send that got no answer at all (15 s, resent meanwhile). */
export function refusalsByCode(records: readonly SendRecord[]): Record<string, number> {
  const refusals: Record<string, number> = {};
  for (const r of records) {
    if (r.code === 200) continue;
    const key = r.code === 0 ? 'none' : String(r.code);
    refusals[key] = (refusals[key] ?? 0) + 1;
  }
  return refusals;
}

export interface Outage {
  ms: number;
  rid: string;
  /** Seconds into the run when the room's last 200 before it came. */
  from: number;
}

/** The longest time a room answered no 200: between two answers 200 in a room (from the start of traffic). */
export function longestOutage(records: readonly SendRecord[], startedAt: number): Outage | undefined {
  const byRoom = new Map<string, number[]>();
  for (const r of records) {
    const answers = byRoom.get(r.rid) ?? [];
    byRoom.set(r.rid, answers);
    if (r.code === 200) answers.push(r.at + r.ms);
  }
  const lastAnswer = records.reduce((max, r) => Math.max(max, r.at + r.ms), 0);
  let worst: Outage | undefined;
  for (const [rid, answers] of byRoom) {
    let last = startedAt;
    for (const t of answers.sort((a, b) => a - b)) {
      if (!worst || t - last > worst.ms) worst = { ms: t - last, rid, from: Number(((last - startedAt) / 1000).toFixed(1)) };
      last = t;
    }
    // A room still without an answer when traffic stopped.
    if (lastAnswer - last > (worst?.ms ?? 0)) worst = { ms: lastAnswer - last, rid, from: Number(((last - startedAt) / 1000).toFixed(1)) };
  }
  return worst;
}
