/** Latency against load, one chart per step-up scenario (cluster and baseline, p50 and p99), as one HTML page of SVG. */
import { writeFileSync } from 'node:fs';
import type { Results } from './report';
import type { StepResult } from './scenarios/step-up';
import type { TargetName } from './targets/target';

const WIDTH = 640;
const HEIGHT = 360;
const PAD = 56;
const COLORS: Record<TargetName, string> = { cluster: '#1f77b4', baseline: '#d62728' };

interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: [number, number][];
}

function chart(title: string, series: Series[]): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => Math.max(0.1, p[1])));
  if (xs.length === 0) return '';
  const xMax = Math.max(...xs) * 1.05;
  // Latency spans orders of magnitude past the peak: a log scale keeps the low-load part readable.
  const yMin = Math.log10(Math.min(...ys, 0.5));
  const yMax = Math.log10(Math.max(...ys, 10)) + 0.1;
  const x = (v: number): number => PAD + (v / xMax) * (WIDTH - 2 * PAD);
  const y = (v: number): number => HEIGHT - PAD - ((Math.log10(Math.max(0.1, v)) - yMin) / (yMax - yMin)) * (HEIGHT - 2 * PAD);
  const lines = series.map((s) => {
    const points = [...s.points].sort((a, b) => a[0] - b[0]);
    const d = points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    const dots = points.map(([px, py]) => `<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="2.5" fill="${s.color}"/>`).join('');
    return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>${dots}`;
  });
  const yTicks = [0.1, 1, 10, 100, 1000, 10000].filter((t) => Math.log10(t) >= yMin && Math.log10(t) <= yMax);
  const xTicks = Array.from({ length: 6 }, (_v, i) => (xMax / 5) * i);
  const axes = [
    `<line x1="${PAD}" y1="${HEIGHT - PAD}" x2="${WIDTH - PAD}" y2="${HEIGHT - PAD}" stroke="#333"/>`,
    `<line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${HEIGHT - PAD}" stroke="#333"/>`,
    ...yTicks.map((t) => `<text x="${PAD - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${t}</text>`),
    ...xTicks.map((t) => `<text x="${x(t)}" y="${HEIGHT - PAD + 16}" text-anchor="middle" font-size="11">${Math.round(t / 1000)}k</text>`),
    `<text x="${WIDTH / 2}" y="${HEIGHT - 14}" text-anchor="middle" font-size="12">delivered messages/s</text>`,
    `<text x="14" y="${HEIGHT / 2}" transform="rotate(-90 14 ${HEIGHT / 2})" text-anchor="middle" font-size="12">latency, ms (log)</text>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="14" font-weight="bold">${title}</text>`,
  ];
  const legend = series.map(
    (s, i) =>
      `<line x1="${PAD + 10}" y1="${PAD + 8 + i * 16}" x2="${PAD + 34}" y2="${PAD + 8 + i * 16}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>` +
      `<text x="${PAD + 40}" y="${PAD + 12 + i * 16}" font-size="11">${s.label}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">${[...axes, ...lines, ...legend].join('')}</svg>`;
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
