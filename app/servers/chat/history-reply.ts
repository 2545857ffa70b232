import type { EnterPosition, HistoryReply } from '../../protocol';
import type { Room } from './room';
import { visibleTo } from './room-log/room-log';

/**
 * The history a user may see after `position` (`lastSeq` + `epoch`, or an older client's `lastId`),
 * and whether it is complete: a position from another epoch, or one whose next messages were
 * trimmed, is answered with what the log has and `recovered: false`.
 */
export async function historyReply(room: Room, username: string, position: EnterPosition, limit: number): Promise<HistoryReply> {
  const asked = position.lastSeq !== undefined;
  let afterSeq = position.lastSeq ?? 0;
  let read = await room.read(afterSeq, Math.max(1, limit));
  let recovered = true;
  if (asked && ((position.epoch !== undefined && position.epoch !== read.epoch) || afterSeq > read.lastSeq)) {
    afterSeq = 0;
    read = await room.read(0, Math.max(1, limit));
    recovered = false;
  } else if (asked) {
    recovered = afterSeq >= read.firstSeq - 1;
  }
  let messages = read.messages;
  if (!asked && position.lastId !== undefined) {
    const lastId = position.lastId;
    recovered = read.firstSeq <= 1 || (messages[0] !== undefined && messages[0].id <= lastId);
    messages = messages.filter((m) => m.id > lastId);
  }
  // Cut by the limit: the reply covers the log only up to its last message.
  const lastSeq = read.messages.length >= limit && read.messages.length > 0 ? read.messages[read.messages.length - 1]!.seq : read.lastSeq;
  return { messages: messages.filter((m) => visibleTo(m, username)), epoch: read.epoch, lastSeq, recovered };
}
