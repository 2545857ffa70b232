/** The chaos run's table, and whether it passed. */
import { renderTable } from '../../app/cli/text-table';
import type { ChaosResult } from './chaos-run';

/**
 * Passed: nothing lost (beyond what the memory store loses by design), duplicated or reordered, no
 * member told recovered:false but after a kill -9 of its room's log, every fault carried out, nothing
 * left running.
 */
export function failures(result: ChaosResult, stillAlive: readonly number[]): string[] {
  const reasons: string[] = [];
  if (result.lost > 0) reasons.push(`${result.lost} messages lost`);
  if (result.duplicated > 0) reasons.push(`${result.duplicated} deliveries twice`);
  if (result.outOfOrder > 0) reasons.push(`${result.outOfOrder} deliveries out of seq order`);
  if (result.unexplainedNotices > 0) reasons.push(`${result.unexplainedNotices} members told recovered:false with no kill -9 of their log`);
  const failed = result.faults.filter((f) => f.error);
  if (failed.length > 0) reasons.push(`${failed.length} faults could not be carried out`);
  if (stillAlive.length > 0) reasons.push(`still running: ${stillAlive.join(', ')}`);
  return reasons;
}

/** The run's last line and its exit code: 0 only when there is no reason to fail. */
export function outcome(reasons: readonly string[]): { line: string; exitCode: 0 | 1 } {
  return reasons.length === 0
    ? { line: 'passed: nothing lost, duplicated or reordered', exitCode: 0 }
    : { line: `FAILED: ${reasons.join('; ')}`, exitCode: 1 };
}

/** recovered:false notices by the kind of fault that came before them: `kill-chat 9, reload 0`. */
function noticesByKind(faults: ChaosResult['faults']): string {
  const byKind = new Map<string, number>();
  for (const f of faults) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + f.recoveredFalse);
  return [...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ') || 'no faults';
}

export function renderChaosReport(result: ChaosResult): string {
  const kinds = new Map<string, number>();
  for (const f of result.faults) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  const rows: [string, string | number | undefined][] = [
    ['faults', [...kinds].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'],
    [
      'connections (rooms each, users on two)',
      `${result.connections.count} (${result.connections.roomsEach}, ${result.connections.usersOnTwoDevices})`,
    ],
    ['sends', result.sends],
    ['accepted (answered 200)', result.accepted],
    [
      'refused, by code',
      Object.entries(result.refusals)
        .map(([code, n]) => `${code}: ${n}`)
        .join(', ') || 'none',
    ],
    ['lost', result.lost],
    ['lost with a memory log (by design)', result.lostWithLog],
    ['duplicated', result.duplicated],
    ['out of order', result.outOfOrder],
    ['members told recovered:false', result.lostNotices],
    ['  after each kind of fault', noticesByKind(result.faults)],
    ['  with no kill -9 of their log', result.unexplainedNotices],
    [
      'longest time a room answered no 200',
      result.longestNoAnswer && `${result.longestNoAnswer.ms} ms (${result.longestNoAnswer.rid}, from ${result.longestNoAnswer.from} s)`,
    ],
    ['re-entries (p50 / max)', `${result.reentries.count} (${result.reentries.p50Ms ?? '-'} / ${result.reentries.maxMs ?? '-'} ms)`],
    ['clients not back at the end', result.notBack.length],
    ['send to delivery p50 / p99 / max', `${result.latencyMs.p50} / ${result.latencyMs.p99} / ${result.latencyMs.max} ms`],
    ['send to answer 200 p50 / p99 / max', `${result.answerMs.p50} / ${result.answerMs.p99} / ${result.answerMs.max} ms`],
  ];
  return renderTable<[string, string | number | undefined]>(
    [
      { title: 'FIGURE', value: (r) => r[0] },
      { title: 'VALUE', value: (r) => r[1] },
    ],
    rows,
  );
}
