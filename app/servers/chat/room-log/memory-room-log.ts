import type { ChatMessage, LoggedMessage, RoomLogSnapshot } from '../../../protocol';
import { Ring } from '../../../util/ring';
import {
  dedupeKey,
  LogClaimLost,
  newEpoch,
  type AppendResult,
  type LogClaim,
  type LogRead,
  type MessageDraft,
  type RoomLog,
} from './room-log';

/** One room's log in memory: a ring of the last `capacity` messages, their dedupe keys, and its read markers. */
class MemoryLog {
  readonly ring: Ring<LoggedMessage>;
  private readonly byKey = new Map<string, ChatMessage>();
  readonly reads: Map<string, number>;
  /** Claims made on this log in this process; 0 for one only restored from the rooms file. */
  fence = 0;

  constructor(
    capacity: number,
    readonly epoch: string,
    public lastSeq: number,
    entries: readonly LoggedMessage[],
    reads: readonly [string, number][] = [],
  ) {
    this.reads = new Map(reads);
    this.ring = new Ring(capacity);
    for (const entry of entries.slice(-capacity)) this.keep(entry);
  }

  find(key: string): ChatMessage | undefined {
    return this.byKey.get(key);
  }

  keep(entry: LoggedMessage): void {
    const evicted = this.ring.push(entry);
    if (evicted?.dedupeKey !== undefined) this.byKey.delete(evicted.dedupeKey);
    if (this.ring.capacity > 0 && entry.dedupeKey !== undefined) this.byKey.set(entry.dedupeKey, entry.message);
  }
}

/** Room logs in this chat server's memory: nothing to install; a crash of this server loses them. */
export class MemoryRoomLog implements RoomLog {
  readonly kind = 'memory';
  private readonly logs = new Map<string, MemoryLog>();

  constructor(private readonly capacity: number) {}

  async claim(rid: string, snapshot: RoomLogSnapshot | null): Promise<LogClaim> {
    let log = this.logs.get(rid);
    // A log read back from the rooms file gives way to one handed over: the room lived elsewhere since.
    if (!log || (snapshot && log.fence === 0)) {
      log = snapshot
        ? new MemoryLog(this.capacity, snapshot.epoch, snapshot.lastSeq, snapshot.entries, snapshot.reads)
        : new MemoryLog(this.capacity, newEpoch(), 0, []);
      this.logs.set(rid, log);
    }
    log.fence++;
    return { rid, fence: log.fence, epoch: log.epoch, lastSeq: log.lastSeq };
  }

  /** A log read back from this server's rooms file (see rooms-file/): the room's, unless a peer hands one over. */
  restore(rid: string, snapshot: RoomLogSnapshot): void {
    if (!this.logs.has(rid)) {
      this.logs.set(rid, new MemoryLog(this.capacity, snapshot.epoch, snapshot.lastSeq, snapshot.entries, snapshot.reads));
    }
  }

  /** Every room whose log is here, held or kept. */
  rids(): string[] {
    return [...this.logs.keys()];
  }

  async append(claim: LogClaim, draft: MessageDraft): Promise<AppendResult> {
    const log = this.logs.get(claim.rid);
    if (!log || log.fence !== claim.fence) throw new LogClaimLost(claim.rid);
    const key = dedupeKey(draft.from, draft.clientMsgId);
    const earlier = key === undefined ? undefined : log.find(key);
    if (earlier) return { message: earlier, duplicate: true, restarted: false };
    const { clientMsgId: _omit, ...fields } = draft;
    const message: ChatMessage = { ...fields, seq: ++log.lastSeq };
    log.keep({ message, ...(key !== undefined && { dedupeKey: key }) });
    claim.lastSeq = log.lastSeq;
    return { message, duplicate: false, restarted: false };
  }

  async read(rid: string, afterSeq: number, limit: number): Promise<LogRead> {
    const log = this.logs.get(rid);
    if (!log) return { epoch: '', lastSeq: 0, firstSeq: 1, messages: [] };
    const { ring } = log;
    const firstSeq = log.lastSeq - ring.size + 1;
    const messages: ChatMessage[] = [];
    for (let i = Math.max(0, afterSeq + 1 - firstSeq); i < ring.size && messages.length < limit; i++) messages.push(ring.at(i).message);
    return { epoch: log.epoch, lastSeq: log.lastSeq, firstSeq, messages };
  }

  async markRead(rid: string, username: string, seq: number): Promise<number> {
    const reads = this.logs.get(rid)?.reads;
    if (!reads) return 0;
    const marker = Math.max(reads.get(username) ?? 0, seq);
    reads.set(username, marker);
    return marker;
  }

  async readMarker(rid: string, username: string): Promise<number> {
    return this.logs.get(rid)?.reads.get(username) ?? 0;
  }

  release(rid: string): RoomLogSnapshot | null {
    const log = this.logs.get(rid);
    if (!log) return null;
    this.logs.delete(rid);
    return { epoch: log.epoch, lastSeq: log.lastSeq, entries: log.ring.toArray(), ...(log.reads.size > 0 && { reads: [...log.reads] }) };
  }

  async close(): Promise<void> {
    this.logs.clear();
  }
}
