/** The scale-out count as one HTML page of SVG: internal messages and bytes per delivery against server processes. */
import { writeFileSync } from 'node:fs';
import { COLORS } from './plot';
import type { Results } from './report';
import type { ScalePoint } from './scenarios/scale-out';
import type { TargetName } from './targets/target';
import { lineChart, type Series } from './svg-chart';

const chart = (title: string, yLabel: string, series: Series[]): string =>
  lineChart({ title, xLabel: 'server processes', yLabel, yLog: false, xTick: (t) => String(Math.round(t)), dots: true }, series);

/** Writes the page; returns false when the scale-out count did not run. */
export function writeScalePlot(file: string, results: Results, subtitle: string): boolean {
  const byTarget = Object.entries(results.scale ?? {}) as [TargetName, { details: { points?: ScalePoint[] } }][];
  const series = (field: 'messagesPerDelivery' | 'bytesPerDelivery'): Series[] =>
    byTarget.map(([target, result]) => ({
      label: target === 'cluster' ? 'cluster (n connectors + n chat servers + gate)' : 'cluster adapter (n workers + primary)',
      color: COLORS[target],
      dashed: false,
      points: (result.details.points ?? []).map((p) => [p.serverProcesses, p[field]]),
    }));
  if (byTarget.length === 0) return false;
  writeFileSync(
    file,
    `<!doctype html><meta charset="utf-8"><title>npm run bench: scale-out count</title><body style="font-family:sans-serif">` +
      `<h1>Internal traffic per delivered message</h1><p>${subtitle}; one fixed chat load, n = 2, 4, 8</p>` +
      `${chart('internal messages per delivery', 'messages', series('messagesPerDelivery'))}\n` +
      `${chart('internal bytes per delivery', 'bytes', series('bytesPerDelivery'))}</body>\n`,
  );
  return true;
}
