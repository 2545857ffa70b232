/**
 * The bench's output: one table (cluster, baseline, cluster adapter, bare cluster adapter, and the cluster's
 * ratio to each, per figure) and the same as JSON under bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderTable, type Column as TableColumn } from '../app/cli/text-table';
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
  /** The bare cluster adapter: routes and pushes only. */
  adapterBare?: number;
  /** The cluster on a Redis room log, beside the cluster on its --store (memory). */
  clusterRedis?: number;
  /** cluster-redis / cluster. */
  redisRatio?: number;
  /** The cluster on Redis Sentinel, each append confirmed by a replica (WAIT). */
  clusterSentinel?: number;
  /** cluster-sentinel / cluster. */
  sentinelRatio?: number;
  /** The cluster with mutual TLS on its internal links. */
  clusterTls?: number;
  /** cluster-tls / cluster. */
  tlsRatio?: number;
  /** cluster / baseline. */
  ratio?: number;
  /** cluster / adapter. */
  adapterRatio?: number;
  /** cluster / adapter-bare. */
  bareRatio?: number;
  /** With --repeat: the figure's cluster / baseline, cluster / adapter and cluster / adapter-bare ratio in each run, in order. */
  ratioRuns?: (number | undefined)[];
  adapterRatioRuns?: (number | undefined)[];
  bareRatioRuns?: (number | undefined)[];
  redisRatioRuns?: (number | undefined)[];
  sentinelRatioRuns?: (number | undefined)[];
  tlsRatioRuns?: (number | undefined)[];
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
      const [cluster, baseline, adapter, adapterBare] = [value('cluster'), value('baseline'), value('adapter'), value('adapter-bare')];
      const ratio = ratioOf(cluster, baseline);
      const adapterRatio = ratioOf(cluster, adapter);
      const bareRatio = ratioOf(cluster, adapterBare);
      const clusterRedis = value('cluster-redis');
      const redisRatio = ratioOf(clusterRedis, cluster);
      const clusterSentinel = value('cluster-sentinel');
      const sentinelRatio = ratioOf(clusterSentinel, cluster);
      const clusterTls = value('cluster-tls');
      const tlsRatio = ratioOf(clusterTls, cluster);
      rows.push({
        scenario,
        figure: name,
        unit,
        ...(cluster !== undefined && { cluster }),
        ...(baseline !== undefined && { baseline }),
        ...(adapter !== undefined && { adapter }),
        ...(adapterBare !== undefined && { adapterBare }),
        ...(ratio !== undefined && { ratio }),
        ...(adapterRatio !== undefined && { adapterRatio }),
        ...(bareRatio !== undefined && { bareRatio }),
        ...(clusterRedis !== undefined && { clusterRedis }),
        ...(redisRatio !== undefined && { redisRatio }),
        ...(clusterSentinel !== undefined && { clusterSentinel }),
        ...(sentinelRatio !== undefined && { sentinelRatio }),
        ...(clusterTls !== undefined && { clusterTls }),
        ...(tlsRatio !== undefined && { tlsRatio }),
      });
    }
  }
  return rows;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : Number(((sorted[mid - 1]! + sorted[mid]!) / 2).toFixed(3));
};

/**
 * Several runs of the same scenarios and targets as one: each figure is its median over the runs, and
 * `details` keeps every run's. (A figure missing from a run is the median of the runs that have it.)
 */
export function medianResults(runs: readonly Results[]): Results {
  if (runs.length === 1) return runs[0]!;
  const merged: Results = {};
  for (const [scenario, byTarget] of Object.entries(runs[0]!) as [ScenarioName, Partial<Record<TargetName, ScenarioResult>>][]) {
    for (const target of Object.keys(byTarget) as TargetName[]) {
      const each = runs.flatMap((run) => run[scenario]?.[target] ?? []);
      const figures = each[0]!.figures.map((f) => ({
        ...f,
        value: median(each.flatMap((r) => r.figures.find((g) => g.name === f.name)?.value ?? [])),
      }));
      (merged[scenario] ??= {})[target] = { figures, details: { runs: each.map((r) => r.details) } };
    }
  }
  return merged;
}

/** The rows of `merged` (the runs' `medianResults`), each with its ratios in every run (what the spread between runs was). */
export function repeatedRows(merged: Results, runs: readonly Results[]): ReportRow[] {
  const rows = reportRows(merged);
  if (runs.length === 1) return rows;
  const perRun = runs.map(reportRows);
  const same = (row: ReportRow) => (r: ReportRow) => r.scenario === row.scenario && r.figure === row.figure;
  return rows.map((row) => ({
    ...row,
    ratioRuns: perRun.map((run) => run.find(same(row))?.ratio),
    adapterRatioRuns: perRun.map((run) => run.find(same(row))?.adapterRatio),
    bareRatioRuns: perRun.map((run) => run.find(same(row))?.bareRatio),
    redisRatioRuns: perRun.map((run) => run.find(same(row))?.redisRatio),
    sentinelRatioRuns: perRun.map((run) => run.find(same(row))?.sentinelRatio),
    tlsRatioRuns: perRun.map((run) => run.find(same(row))?.tlsRatio),
  }));
}

const listed = (values: (number | undefined)[] | undefined): string | undefined =>
  values?.some((v) => v !== undefined) ? values.map((v) => v ?? '-').join(' ') : undefined;

/**
 * The table; `adapterWorkers` goes into the adapters' column titles (the scale rows say their own n). The
 * bare adapter's columns are there when it ran.
 */
export function renderReport(rows: readonly ReportRow[], adapterWorkers: number): string {
  const onlyScale = rows.length > 0 && rows.every((r) => r.scenario === 'scale');
  const bare = rows.some((r) => r.adapterBare !== undefined);
  const onRedis = rows.some((r) => r.clusterRedis !== undefined);
  const onSentinel = rows.some((r) => r.clusterSentinel !== undefined);
  const withTls = rows.some((r) => r.clusterTls !== undefined);
  const repeated = rows.some((r) => r.ratioRuns);
  type Column = TableColumn<ReportRow>;
  const columns: (Column | false)[] = [
    { title: 'SCENARIO', value: (r) => r.scenario },
    { title: 'FIGURE', value: (r) => r.figure },
    { title: 'UNIT', value: (r) => r.unit },
    { title: 'CLUSTER', value: (r) => r.cluster, align: 'right' },
    onRedis && { title: 'CLUSTER ON REDIS', value: (r) => r.clusterRedis, align: 'right' },
    onRedis && { title: 'REDIS / CLUSTER', value: (r) => r.redisRatio, align: 'right' },
    onSentinel && { title: 'CLUSTER ON SENTINEL', value: (r) => r.clusterSentinel, align: 'right' },
    onSentinel && { title: 'SENTINEL / CLUSTER', value: (r) => r.sentinelRatio, align: 'right' },
    withTls && { title: 'CLUSTER WITH TLS', value: (r) => r.clusterTls, align: 'right' },
    withTls && { title: 'TLS / CLUSTER', value: (r) => r.tlsRatio, align: 'right' },
    { title: 'BASELINE', value: (r) => r.baseline, align: 'right' },
    { title: `ADAPTER (${onlyScale ? 'n' : adapterWorkers} WORKERS)`, value: (r) => r.adapter, align: 'right' },
    bare && { title: `BARE ADAPTER (${adapterWorkers} WORKERS)`, value: (r) => r.adapterBare, align: 'right' },
    { title: 'RATIO', value: (r) => r.ratio, align: 'right' },
    { title: 'RATIO TO ADAPTER', value: (r) => r.adapterRatio, align: 'right' },
    bare && { title: 'RATIO TO BARE', value: (r) => r.bareRatio, align: 'right' },
    repeated && { title: 'RATIO, EACH RUN', value: (r) => listed(r.ratioRuns) },
    repeated && { title: 'TO ADAPTER, EACH RUN', value: (r) => listed(r.adapterRatioRuns) },
    repeated && bare && { title: 'TO BARE, EACH RUN', value: (r) => listed(r.bareRatioRuns) },
    repeated && onRedis && { title: 'REDIS / CLUSTER, EACH RUN', value: (r) => listed(r.redisRatioRuns) },
    repeated && onSentinel && { title: 'SENTINEL / CLUSTER, EACH RUN', value: (r) => listed(r.sentinelRatioRuns) },
    repeated && withTls && { title: 'TLS / CLUSTER, EACH RUN', value: (r) => listed(r.tlsRatioRuns) },
  ];
  const table = renderTable<ReportRow>(
    columns.filter((c): c is Column => c !== false),
    rows,
  );
  const scaleNote = rows.some((r) => r.scenario === 'scale')
    ? '\nscale rows: the cluster with n connectors and n chat servers, the adapter with n workers'
    : '';
  return `${table}${scaleNote}`;
}

/** Where a run's results go: `<dir>/<prefix><timestamp>.json`. */
export function reportFile(dir: string, startedAt: Date, prefix = ''): string {
  return path.join(dir, `${prefix}${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
}

/** Writes `report` to `reportFile(dir, startedAt, prefix)`; returns the file. */
export function writeReport(dir: string, startedAt: Date, report: object, prefix = ''): string {
  const file = reportFile(dir, startedAt, prefix);
  writeJson(file, report);
  return file;
}

/** Writes `report` as JSON to `file` (its folder created). */
export function writeJson(file: string, report: object): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
