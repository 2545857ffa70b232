/** A latency histogram in log buckets (3 % wide, 10 µs to ~100 s): cheap to record, merge and ship over IPC. */
const BASE = 1.03;
const MIN_MS = 0.01;
const BUCKETS = Math.ceil(Math.log(1e7) / Math.log(BASE)) + 1;
const LOG_BASE = Math.log(BASE);

/** Non-empty buckets as [index, count] pairs, and the exact max. */
export interface HistogramData {
  buckets: [number, number][];
  count: number;
  maxMs: number;
}

export class Histogram {
  private counts = new Uint32Array(BUCKETS);
  private total = 0;
  private max = 0;

  record(ms: number): void {
    const index = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_BASE));
    this.counts[index]!++;
    this.total++;
    if (ms > this.max) this.max = ms;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.max = 0;
  }

  get count(): number {
    return this.total;
  }

  toData(): HistogramData {
    const buckets: [number, number][] = [];
    this.counts.forEach((n, i) => n > 0 && buckets.push([i, n]));
    return { buckets, count: this.total, maxMs: this.max };
  }

  add(data: HistogramData): void {
    for (const [i, n] of data.buckets) this.counts[i]! += n;
    this.total += data.count;
    this.max = Math.max(this.max, data.maxMs);
  }

  /** The upper edge of the bucket holding the `q` quantile (0..1), in ms; never above the max. */
  quantile(q: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, MIN_MS * BASE ** i);
    }
    return this.max;
  }

  get maxMs(): number {
    return this.max;
  }
}
