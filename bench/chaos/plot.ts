/** Throughput and latency of a chaos run over time, each fault marked, as one HTML page of SVG. */
import { writeFileSync } from 'node:fs';
import { lineChart, type Marker } from '../svg-chart';
import type { TimelinePoint } from './timeline';

export function writeChaosPlot(
  file: string,
  points: readonly TimelinePoint[],
  faults: readonly { at: number; tookMs: number; kind: string; target: string }[],
  subtitle: string,
): void {
  const markers: Marker[] = faults.map((f) => ({
    x: f.at,
    until: f.at + f.tookMs / 1000,
    label: `${f.kind} ${f.target.replace(/-server-/g, '')}`,
  }));
  // About 4 px a second, so that a long run's faults stay apart (the page scrolls sideways).
  const width = Math.max(960, Math.min(4000, 120 + 4 * points.length));
  const common = { xLabel: 'seconds into the run', xTick: (t: number) => `${Math.round(t)}`, markers, width };
  const throughput = lineChart({ ...common, title: 'answers and deliveries per second', yLabel: 'per second', yLog: false }, [
    { label: 'answered 200', color: '#1f77b4', dashed: false, points: points.map((p) => [p.second, p.accepted]) },
    { label: 'refused or unanswered', color: '#d62728', dashed: false, points: points.map((p) => [p.second, p.refused]) },
    { label: 'delivered (all members)', color: '#2ca02c', dashed: true, points: points.map((p) => [p.second, p.delivered]) },
  ]);
  const withLatency = points.filter((p) => p.p50Ms !== undefined);
  const latency = lineChart(
    { ...common, title: 'send to delivery latency', yLabel: 'latency, ms (log)', yLog: true, markerLabels: false },
    [
      { label: 'p50', color: '#1f77b4', dashed: true, points: withLatency.map((p) => [p.second, p.p50Ms!]) },
      { label: 'p99', color: '#1f77b4', dashed: false, points: withLatency.map((p) => [p.second, p.p99Ms!]) },
    ],
  );
  writeFileSync(
    file,
    `<!doctype html><meta charset="utf-8"><title>npm run chaos</title><body style="font-family:sans-serif">` +
      `<h1>Chaos run</h1><p>${subtitle}</p>${throughput}\n${latency}</body>\n`,
  );
}
