/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for asserting that an endpoint's
 * output is what a Prometheus server would accept: every line well formed, each family's HELP and
 * TYPE at most once and before its samples, a family's samples together, no series twice, histogram
 * buckets with `le` and a `+Inf` bucket equal to `_count`.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export class PrometheusText {
  constructor(readonly families: ReadonlyMap<string, Family>) {}

  family(name: string): Family {
    const family = this.families.get(name);
    if (!family) throw new Error(`no metric family ${name}`);
    return family;
  }

  /** Samples named `name` (for a histogram, e.g. `x_count`) whose labels include `labels`. */
  samples(name: string, labels: Record<string, string> = {}): Sample[] {
    return [...this.families.values()]
      .flatMap((f) => f.samples)
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** The sum of the matching samples' values (0 when there are none). */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((total, s) => total + s.value, 0);
  }
}

export function parsePrometheusText(text: string): PrometheusText {
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  const typed = new Set<string>();
  let current: Family | undefined;
  const fail = (lineNo: number, line: string, why: string): never => {
    throw new Error(`line ${lineNo}: ${why}: ${JSON.stringify(line)}`);
  };
  const familyFor = (name: string, lineNo: number, line: string): Family => {
    if (current && current.name !== name) {
      closed.add(current.name);
      current = undefined;
    }
    if (closed.has(name)) fail(lineNo, line, `metric family ${name} appears in two places`);
    current = families.get(name) ?? { name, type: 'untyped', samples: [] };
    families.set(name, current);
    return current;
  };

  text.split('\n').forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!meta) return; // a plain comment
      const [, keyword, name, rest = ''] = meta as unknown as [string, string, string, string?];
      if (!NAME.test(name)) fail(lineNo, line, 'bad metric name');
      const family = familyFor(name, lineNo, line);
      if (keyword === 'HELP') {
        if (family.help !== undefined) fail(lineNo, line, 'second HELP');
        family.help = rest;
      } else {
        if (!TYPES.has(rest)) fail(lineNo, line, 'unknown TYPE');
        if (family.samples.length > 0 || typed.has(name)) fail(lineNo, line, 'TYPE after samples or twice');
        typed.add(name);
        family.type = rest;
      }
      return;
    }
    const sample = parseSample(line) ?? fail(lineNo, line, 'not a sample');
    const familyName = familyOf(sample.name, current);
    const family = familyFor(familyName, lineNo, line);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) fail(lineNo, line, 'the same series twice');
    seen.add(key);
    if (family.type === 'histogram' && sample.name === `${familyName}_bucket` && sample.labels.le === undefined) {
      fail(lineNo, line, 'bucket without le');
    }
    family.samples.push(sample);
  });

  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return new PrometheusText(families);
}

/** `x_bucket`, `x_sum`, `x_count` belong to the histogram or summary `x` being read. */
function familyOf(sampleName: string, current: Family | undefined): string {
  if (current && (current.type === 'histogram' || current.type === 'summary')) {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (sampleName === `${current.name}${suffix}`) return current.name;
    }
  }
  return sampleName;
}

function checkHistogram(family: Family): void {
  const withoutLe = (labels: Record<string, string>): string =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== 'le')
        .sort(),
    );
  for (const count of family.samples.filter((s) => s.name === `${family.name}_count`)) {
    const key = withoutLe(count.labels);
    const inf = family.samples.find((s) => s.name === `${family.name}_bucket` && s.labels.le === '+Inf' && withoutLe(s.labels) === key);
    if (!inf) throw new Error(`${family.name}${key}: no +Inf bucket`);
    if (inf.value !== count.value) throw new Error(`${family.name}${key}: +Inf bucket ${inf.value} != count ${count.value}`);
  }
}

function parseSample(line: string): Sample | undefined {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!head) return undefined;
  const name = head[1]!;
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    for (;;) {
      if (line[at] === '}') break;
      const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(at))?.[0];
      if (!labelName || !LABEL_NAME.test(labelName)) return undefined;
      at += labelName.length;
      if (line.slice(at, at + 2) !== '="') return undefined;
      at += 2;
      let value = '';
      for (;;) {
        const c = line[at];
        if (c === undefined) return undefined;
        if (c === '"') break;
        if (c === '\\') {
          const next = line[at + 1];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else return undefined;
          at += 2;
        } else {
          value += c;
          at++;
        }
      }
      at++; // closing quote
      if (Object.hasOwn(labels, labelName)) return undefined;
      labels[labelName] = value;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') return undefined;
    }
    at++; // closing brace
  }
  const rest = line.slice(at);
  const parts = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!parts) return undefined;
  const value = parseValue(parts[1]!);
  return value === undefined ? undefined : { name, labels, value };
}

function parseValue(text: string): number | undefined {
  if (/^nan$/i.test(text)) return NaN;
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}
