/**
 * Where a message's time goes between a frontend's receipt of the client's request and the write of its
 * push to the recipients' sockets. One request in HOP_SAMPLE_EVERY carries a HopTrace (rpc-messages.ts)
 * through the forward to the backend's handler and into the push batch that carries its message; every push
 * batch carries the time it left the backend. No per-message clock reads beyond the sampled ones: one per
 * sampled request at each end, and one per batch.
 *
 * Each hop is a difference of two times. Those of one process (`same process` below) hold on any
 * deployment; the others compare two processes' clocks, and hold only where they share one (one host).
 */
import { performance } from 'node:perf_hooks';
import type { HopTrace, PushBatchStamp } from '../rpc/rpc-messages';

/** The hops, in the order a message takes them, with the process whose clock(s) measure each. */
export const HOPS = {
  /** Frontend receipt -> backend handler start: the frontend's pipeline, the forward link, the backend's queue. Two clocks. */
  receiptToHandler: 'receipt_to_handler',
  /** Handler start -> the push batch leaving the backend: handler, room log, channel, batching. Same process (backend). */
  handlerToPush: 'handler_to_push',
  /** Push batch leaving the backend -> read by the frontend: the link and the frontend's queue. Two clocks. */
  pushLink: 'push_link',
  /** Push batch read -> its pushes written to the sockets (the corked write ends). Same process (frontend). */
  pushToWrite: 'push_to_write',
  /** Frontend receipt -> write, for a message whose sender is on the frontend that writes it. Same process (frontend). */
  receiptToWrite: 'receipt_to_write',
} as const;

export type Hop = (typeof HOPS)[keyof typeof HOPS];

/** Milliseconds on a clock every process of one host shares, finer than Date.now(). */
export const hopNow = (): number => performance.timeOrigin + performance.now();

/** Says yes to one call in `every` (never for 0). */
export class HopSampler {
  private count = 0;

  constructor(private readonly every: number) {}

  sample(): boolean {
    if (this.every === 0) return false;
    if (++this.count < this.every) return false;
    this.count = 0;
    return true;
  }
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A trace from a peer, if it is one (a malformed one is ignored, never trusted into a metric). */
export function hopTraceOf(value: unknown): HopTrace | undefined {
  const t = value as Partial<HopTrace> | null | undefined;
  if (typeof t?.frontendId !== 'string' || !isTime(t.receivedAt)) return undefined;
  if (t.handledAt !== undefined && !isTime(t.handledAt)) return undefined;
  return t as HopTrace;
}

/** A push batch's stamp from a peer, if it is one. */
export function batchStampOf(value: unknown): PushBatchStamp | undefined {
  const s = value as Partial<PushBatchStamp> | null | undefined;
  if (!isTime(s?.sentAt)) return undefined;
  const trace = hopTraceOf(s.trace);
  return trace ? { sentAt: s.sentAt, trace } : { sentAt: s.sentAt };
}
