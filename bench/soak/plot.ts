/** Every server's samples over a soak run, one chart per figure, the load marked, as one HTML page of SVG. */
import { writeFileSync } from 'node:fs';
import { lineChart, type Marker, type Series } from '../svg-chart';
import type { ServerSample } from './sampler';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
const MiB = 1024 * 1024;

const FIGURES: { title: string; yLabel: string; pick: (s: ServerSample) => number }[] = [
  { title: 'heap after a full GC', yLabel: 'MiB', pick: (s) => s.heapAfterGcBytes / MiB },
  { title: 'resident memory (RSS)', yLabel: 'MiB', pick: (s) => s.rssBytes / MiB },
  { title: 'open file descriptors', yLabel: 'fds', pick: (s) => s.fds },
  { title: 'active handles', yLabel: 'handles', pick: (s) => s.handles },
  { title: 'event-loop lag p99 (each second)', yLabel: 'ms', pick: (s) => s.lagP99Ms },
];

export function writeSoakPlot(
  file: string,
  servers: readonly string[],
  samples: readonly ServerSample[],
  phases: Record<string, number>,
  subtitle: string,
): void {
  const markers: Marker[] = [
    { x: phases.load ?? 0, until: phases['idle-after'] ?? phases.load ?? 0, label: 'load' },
    ...(phases['idle-before'] !== undefined ? [{ x: phases['idle-before'], label: 'idle' }] : []),
  ];
  const seconds = samples.length === 0 ? 0 : samples[samples.length - 1]!.t;
  const width = Math.max(960, Math.min(4000, 120 + 2 * seconds));
  const charts = FIGURES.map(({ title, yLabel, pick }, i) => {
    const series: Series[] = servers.map((server, k) => ({
      label: server,
      color: PALETTE[k % PALETTE.length]!,
      dashed: k >= PALETTE.length,
      points: samples.filter((s) => s.server === server).map((s) => [s.t, pick(s)]),
    }));
    return lineChart(
      { title, xLabel: 'seconds', yLabel, yLog: false, xTick: (t) => `${Math.round(t)}`, markers, markerLabels: i === 0, width },
      series,
    );
  });
  writeFileSync(
    file,
    `<!doctype html><meta charset="utf-8"><title>npm run soak</title><body style="font-family:sans-serif">` +
      `<h1>Soak run</h1><p>${subtitle}</p>${charts.join('\n')}</body>\n`,
  );
}
