/**
 * Two bench results side by side, as a Markdown table (the README's before/after):
 * `node dist/bench/compare.js <before.json> <after.json>`.
 */
import { readFileSync } from 'node:fs';
import type { ReportRow } from './report';

interface BenchJson {
  startedAt: string;
  rows: ReportRow[];
  machine: { loadAverages: Record<string, number[]> };
}

const read = (file: string): BenchJson => JSON.parse(readFileSync(file, 'utf8')) as BenchJson;
const cell = (n: number | undefined): string => (n === undefined ? '-' : String(n));

function compare(before: BenchJson, after: BenchJson): string {
  const lines = [
    '| scenario | figure | unit | before: cluster | before: baseline | before: ratio | after: cluster | after: baseline | after: ratio | after: adapter | after: ratio to adapter | after: bare adapter | after: ratio to bare |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of after.rows) {
    if (row.baseline === undefined && row.adapter === undefined && row.adapterBare === undefined && row.figure.startsWith('RSS ')) continue;
    const old = before.rows.find((r) => r.scenario === row.scenario && r.figure === row.figure);
    lines.push(
      `| ${row.scenario} | ${row.figure} | ${row.unit} | ${cell(old?.cluster)} | ${cell(old?.baseline)} | ${cell(old?.ratio)} | ` +
        `${cell(row.cluster)} | ${cell(row.baseline)} | ${cell(row.ratio)} | ${cell(row.adapter)} | ${cell(row.adapterRatio)} | ${cell(row.adapterBare)} | ${cell(row.bareRatio)} |`,
    );
  }
  const load = (b: BenchJson): string =>
    Object.values(b.machine.loadAverages)
      .map((l) => l[0])
      .join(', ');
  lines.push('', `Load average (1 min) at the start and after each scenario and target: before ${load(before)}; after ${load(after)}.`);
  return lines.join('\n');
}

const [beforeFile, afterFile] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  process.stderr.write('usage: node dist/bench/compare.js <before.json> <after.json>\n');
  process.exit(2);
}
process.stdout.write(`${compare(read(beforeFile), read(afterFile))}\n`);
