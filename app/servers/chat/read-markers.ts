import type { RoomSummary } from '../../protocol';
import { visibleTo, type RoomLog } from './room-log/room-log';

/** Where `username` stands in room `rid`: its marker and what it has not read yet. */
export interface ReadState {
  readSeq: number;
  unread: number;
}

/**
 * `username`'s marker in `rid`, and how many messages after it are unread: those still in the log are
 * counted one by one (not their own, not privates between others); those already trimmed all count.
 */
export async function readState(log: RoomLog, rid: string, username: string, lastSeq: number, historySize: number): Promise<ReadState> {
  const readSeq = Math.min(await log.readMarker(rid, username), lastSeq);
  if (readSeq >= lastSeq) return { readSeq, unread: 0 };
  const read = await log.read(rid, readSeq, Math.max(1, historySize));
  const trimmed = Math.max(0, read.firstSeq - 1 - readSeq);
  const kept = read.messages.filter((m) => m.from !== username && visibleTo(m, username)).length;
  return { readSeq, unread: trimmed + kept };
}

/** A room's line in the `connector.entryHandler.rooms` reply. */
export async function roomSummary(
  log: RoomLog,
  rid: string,
  username: string,
  head: { epoch: string; lastSeq: number },
  userCount: number,
  historySize: number,
): Promise<RoomSummary> {
  const state = await readState(log, rid, username, head.lastSeq, historySize);
  return { rid, epoch: head.epoch, lastSeq: head.lastSeq, ...state, userCount };
}
