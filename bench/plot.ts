/** Latency against load, one chart per step-up scenario (every target, p50 and p99), as one HTML page of SVG. */
import { writeFileSync } from 'node:fs';
import type { Results } from './report';
import type { StepResult } from './scenarios/step-up';
import type { TargetName } from './targets/target';
import { lineChart, type Series } from './svg-chart';

export const COLORS: Record<TargetName, string> = {
  cluster: '#1f77b4',
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
    if (series.length > 0) charts.push(chart(scenario === 'chat' ? 'chat: rooms of 20' : 'big room', series));
  }
  if (charts.length === 0) return false;
  writeFileSync(
    file,
    `<!doctype html><meta charset="utf-8"><title>npm run bench</title><body style="font-family:sans-serif">` +
      `<h1>Latency against load</h1><p>${subtitle}</p>${charts.join('\n')}</body>\n`,
  );
  return true;
}
