/**
 * Latency against load, one chart per step-up scenario (every target, p50 and p99), and one of the
 * cluster's p99 per hop beside its end-to-end p99, as one HTML page of SVG.
 */
import { writeFileSync } from 'node:fs';
import type { Results } from './report';
import type { StepResult } from './scenarios/step-up';
import type { TargetName } from './targets/target';
import { lineChart, type Series } from './svg-chart';

/** The hops' colours, in the order a message takes them (game-server/metrics/hop-trace.ts). */
const HOP_COLORS = ['#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export const COLORS: Record<TargetName, string> = {
  cluster: '#1f77b4',
  'cluster-redis': '#ff7f0e',
  'cluster-sentinel': '#8c564b',
  'cluster-tls': '#8c564b',
  baseline: '#d62728',
  adapter: '#2ca02c',
  'adapter-bare': '#9467bd',
};

const chart = (title: string, series: Series[]): string =>
  lineChart(
    {
      title,
      xLabel: 'delivered messages/s',
      yLabel: 'latency, ms (log)',
      yLog: true,
      xTick: (t) => `${Math.round(t / 1000)}k`,
      dots: true,
    },
    series,
  );

/** The cluster's end-to-end p99 and each hop's p99, against load. */
function hopSeries(steps: readonly StepResult[]): Series[] {
  const names = [...new Set(steps.flatMap((s) => Object.keys(s.hops ?? {})))];
  if (names.length === 0) return [];
  return [
    { label: 'end to end p99', color: COLORS.cluster, dashed: false, points: steps.map((s) => [s.deliveredPerSec, s.p99Ms]) },
    ...names.map((hop, i) => ({
      label: hop,
      color: HOP_COLORS[i % HOP_COLORS.length]!,
      dashed: true,
      points: steps.flatMap((s): [number, number][] => (s.hops?.[hop] ? [[s.deliveredPerSec, s.hops[hop].p99Ms]] : [])),
    })),
  ];
}

/** Writes the page next to the JSON; returns false when no scenario had load steps. */
export function writePlot(file: string, results: Results, subtitle: string): boolean {
  const charts: string[] = [];
  for (const scenario of ['chat', 'bigRoom'] as const) {
    const series: Series[] = [];
    for (const [target, result] of Object.entries(results[scenario] ?? {}) as [TargetName, { details: { steps?: StepResult[] } }][]) {
      const steps = result.details.steps ?? [];
      for (const [key, dashed] of [['p50Ms', true] as const, ['p99Ms', false] as const]) {
        series.push({
          label: `${target} ${key.slice(0, 3)}`,
          color: COLORS[target],
          dashed,
          points: steps.map((s) => [s.deliveredPerSec, s[key]]),
        });
      }
    }
    const title = scenario === 'chat' ? 'chat: rooms of 20' : 'big room';
    if (series.length > 0) charts.push(chart(title, series));
    const hops = hopSeries((results[scenario]?.cluster?.details as { steps?: StepResult[] } | undefined)?.steps ?? []);
    if (hops.length > 0) charts.push(chart(`${title}: the cluster's p99 per hop (servers' clocks) and end to end (client's)`, hops));
  }
  if (charts.length === 0) return false;
  writeFileSync(
    file,
    `<!doctype html><meta charset="utf-8"><title>npm run bench</title><body style="font-family:sans-serif">` +
      `<h1>Latency against load</h1><p>${subtitle}</p>${charts.join('\n')}</body>\n`,
  );
  return true;
}
