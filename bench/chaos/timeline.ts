/** Per-second figures of a chaos run, for the plot and the run's latency: answers, deliveries and their latency. */
import { Histogram } from '../load/histogram';

export interface TimelinePoint {
  /** Seconds since the run started (the start of this one-second bucket). */
  second: number;
  accepted: number;
  refused: number;
  delivered: number;
  p50Ms?: number;
  p99Ms?: number;
}

export class Timeline {
  private readonly seconds: { accepted: number; refused: number; delivered: number; latency: Histogram }[] = [];
  /** Send to delivery, every delivery of the run. */
  readonly latency = new Histogram();
  /** Send to its answer, every send answered 200. */
  readonly answer = new Histogram();

  private startedAt = Date.now();

  /** Seconds count from `at` (the start of the traffic). */
  begin(at: number): void {
    this.startedAt = at;
  }

  private at(time: number): { accepted: number; refused: number; delivered: number; latency: Histogram } {
    const i = Math.max(0, Math.floor((time - this.startedAt) / 1000));
    while (this.seconds.length <= i) this.seconds.push({ accepted: 0, refused: 0, delivered: 0, latency: new Histogram() });
    return this.seconds[i]!;
  }

  delivered(sentAt: number, now = Date.now()): void {
    const bucket = this.at(now);
    bucket.delivered++;
    bucket.latency.record(now - sentAt);
    this.latency.record(now - sentAt);
  }

  answered(code: number, sentAt: number, answeredAt: number): void {
    const bucket = this.at(answeredAt);
    if (code === 200) {
      bucket.accepted++;
      this.answer.record(answeredAt - sentAt);
    } else bucket.refused++;
  }

  points(): TimelinePoint[] {
    const round = (n: number): number => Number(n.toFixed(1));
    return this.seconds.map((s, second) => ({
      second,
      accepted: s.accepted,
      refused: s.refused,
      delivered: s.delivered,
      ...(s.latency.count > 0 && { p50Ms: round(s.latency.quantile(0.5)), p99Ms: round(s.latency.quantile(0.99)) }),
    }));
  }
}
