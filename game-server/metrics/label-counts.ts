import { Counter, type Registry } from 'prom-client';

/** One series of a labelled counter: its labels, what was counted, and what the counter has been told. */
interface Series {
  labels: Record<string, string>;
  count: number;
  reported: number;
}

type Level = Map<string, Level | Series>;

/**
 * A prom-client counter with one to three labels whose counting happens in plain numbers, added to the
 * counter when it is read (scraped). `counter.labels(...).inc()` builds, checks and hashes a label object
 * on every call, a cost per message on the message path; here counting is a map lookup per label and an
 * addition.
 */
export class LabelledCounter {
  private readonly labelNames: readonly string[];
  private readonly top: Level = new Map();
  private readonly series: Series[] = [];

  constructor(options: { name: string; help: string; labelNames: readonly string[]; registers: Registry[] }) {
    if (options.labelNames.length < 1 || options.labelNames.length > 3) throw new Error('a LabelledCounter has one to three labels');
    this.labelNames = options.labelNames;
    const { series } = this;
    new Counter({
      ...options,
      labelNames: [...options.labelNames],
      collect() {
        for (const s of series) {
          if (s.count > s.reported) this.inc(s.labels, s.count - s.reported);
          s.reported = s.count;
        }
      },
    });
  }

  /** Adds `by` to the series of the label values `a`, `b`, `c` (in the order of `labelNames`). */
  add(by: number, a: string, b = '', c = ''): void {
    const depth = this.labelNames.length;
    let level = this.top;
    if (depth > 1) level = levelOf(level, a);
    if (depth > 2) level = levelOf(level, b);
    const last = depth === 1 ? a : depth === 2 ? b : c;
    let found = level.get(last) as Series | undefined;
    if (!found) {
      const values = [a, b, c];
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i]!));
      found = { labels, count: 0, reported: 0 };
      level.set(last, found);
      this.series.push(found);
    }
    found.count += by;
  }
}

function levelOf(level: Level, value: string): Level {
  let next = level.get(value) as Level | undefined;
  if (!next) level.set(value, (next = new Map()));
  return next;
}
