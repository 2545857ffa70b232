/**
 * The bench's output: one table (cluster, baseline, cluster-adapter, and the cluster's ratio to each, per
 * figure) and the same as JSON under bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderTable } from '../app/cli/text-table';
import type { ScenarioResult } from './scenarios/scenario';
import type { ScenarioName } from './sizes';
import type { TargetName } from './targets/target';

export interface ReportRow {
  scenario: ScenarioName;
  figure: string;
  unit: string;
  cluster?: number;
  baseline?: number;
  adapter?: number;
  /** cluster / baseline. */
  ratio?: number;
  /** cluster / adapter. */
  adapterRatio?: number;
}

const ratioOf = (a: number | undefined, b: number | undefined): number | undefined =>
  a !== undefined && b !== undefined && b !== 0 ? Number((a / b).toFixed(2)) : undefined;

export type Results = Partial<Record<ScenarioName, Partial<Record<TargetName, ScenarioResult>>>>;

/** One row per figure, in the order the scenarios gave them. */
export function reportRows(results: Results): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const [scenario, byTarget] of Object.entries(results) as [ScenarioName, Partial<Record<TargetName, ScenarioResult>>][]) {
    const names: { name: string; unit: string }[] = [];
    for (const result of Object.values(byTarget)) {
      for (const f of result.figures) if (!names.some((n) => n.name === f.name)) names.push({ name: f.name, unit: f.unit });
    }
    for (const { name, unit } of names) {
      const value = (target: TargetName): number | undefined => byTarget[target]?.figures.find((f) => f.name === name)?.value;
      const [cluster, baseline, adapter] = [value('cluster'), value('baseline'), value('adapter')];
      const ratio = ratioOf(cluster, baseline);
      const adapterRatio = ratioOf(cluster, adapter);
      rows.push({
        scenario,
        figure: name,
        unit,
        ...(cluster !== undefined && { cluster }),
        ...(baseline !== undefined && { baseline }),
        ...(adapter !== undefined && { adapter }),
        ...(ratio !== undefined && { ratio }),
        ...(adapterRatio !== undefined && { adapterRatio }),
      });
    }
  }
  return rows;
}

/** The table; `adapterWorkers` goes into the adapter's column title (the scale rows say their own n). */
export function renderReport(rows: readonly ReportRow[], adapterWorkers: number): string {
  const onlyScale = rows.length > 0 && rows.every((r) => r.scenario === 'scale');
  const table = renderTable<ReportRow>(
    [
      { title: 'SCENARIO', value: (r) => r.scenario },
      { title: 'FIGURE', value: (r) => r.figure },
      { title: 'UNIT', value: (r) => r.unit },
      { title: 'CLUSTER', value: (r) => r.cluster, align: 'right' },
      { title: 'BASELINE', value: (r) => r.baseline, align: 'right' },
      { title: `ADAPTER (${onlyScale ? 'n' : adapterWorkers} WORKERS)`, value: (r) => r.adapter, align: 'right' },
      { title: 'RATIO', value: (r) => r.ratio, align: 'right' },
      { title: 'RATIO TO ADAPTER', value: (r) => r.adapterRatio, align: 'right' },
    ],
    rows,
  );
  const scaleNote = rows.some((r) => r.scenario === 'scale')
    ? '\nscale rows: the cluster with n connectors and n chat servers, the adapter with n workers'
    : '';
  return `${table}${scaleNote}`;
}

/** Writes `report` to `<dir>/<prefix><timestamp>.json`; returns the file. */
export function writeReport(dir: string, startedAt: Date, report: object, prefix = ''): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${prefix}${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeJson(file, report);
  return file;
}

/** Writes `report` as JSON to `file` (its folder created). */
export function writeJson(file: string, report: object): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
