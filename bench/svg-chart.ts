/** A line chart as one SVG string, for the bench's and the chaos harness's HTML plots. */
const WIDTH = 640;
const HEIGHT = 360;
const PAD = 56;

export interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: [number, number][];
}

/** A vertical line at `x` with a label, and a band until `until` (the chaos harness marks its faults so). */
export interface Marker {
  x: number;
  until?: number;
  label: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** A log scale for y (latency spans orders of magnitude past a peak); else linear from 0. */
  yLog: boolean;
  xTick: (value: number) => string;
  markers?: Marker[];
  /** Whether the markers' labels are written (a second chart of the same run can leave them out). */
  markerLabels?: boolean;
  width?: number;
  /** Dots on each point (few points); none for a time series. */
  dots?: boolean;
}

export function lineChart(options: ChartOptions, series: Series[]): string {
  const width = options.width ?? WIDTH;
  const xs = [...series.flatMap((s) => s.points.map((p) => p[0])), ...(options.markers ?? []).map((m) => m.x)];
  const floor = options.yLog ? 0.1 : 0;
  const ys = series.flatMap((s) => s.points.map((p) => Math.max(floor, p[1])));
  if (xs.length === 0 || ys.length === 0) return '';
  const xMax = Math.max(...xs) * 1.05 || 1;
  const scale = options.yLog ? (v: number): number => Math.log10(Math.max(0.1, v)) : (v: number): number => v;
  const yMin = options.yLog ? Math.log10(Math.min(...ys, 0.5)) : 0;
  const yMax = options.yLog ? Math.log10(Math.max(...ys, 10)) + 0.1 : Math.max(...ys, 1) * 1.1;
  const x = (v: number): number => PAD + (v / xMax) * (width - 2 * PAD);
  const y = (v: number): number => HEIGHT - PAD - ((scale(v) - yMin) / (yMax - yMin)) * (HEIGHT - 2 * PAD);
  const lines = series.map((s) => {
    const points = [...s.points].sort((a, b) => a[0] - b[0]);
    const d = points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    const dots = options.dots
      ? points.map(([px, py]) => `<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="2.5" fill="${s.color}"/>`).join('')
      : '';
    return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>${dots}`;
  });
  const yTicks = options.yLog
    ? [0.1, 1, 10, 100, 1000, 10000].filter((t) => Math.log10(t) >= yMin && Math.log10(t) <= yMax)
    : Array.from({ length: 6 }, (_v, i) => (yMax >= 10 ? Math.round((yMax / 5) * i) : Number(((yMax / 5) * i).toFixed(2))));
  const xTicks = Array.from({ length: 6 }, (_v, i) => (xMax / 5) * i);
  const markers = (options.markers ?? []).map((m) => {
    const [x1, x2] = [x(m.x), x(m.until ?? m.x)];
    const band =
      x2 > x1 + 1 ? `<rect x="${x1.toFixed(1)}" y="${PAD}" width="${(x2 - x1).toFixed(1)}" height="${HEIGHT - 2 * PAD}" fill="#eee"/>` : '';
    // The label stands inside the chart, up along the line.
    const [lx, ly] = [(x1 + 10).toFixed(1), HEIGHT - PAD - 4];
    return (
      `${band}<line x1="${x1.toFixed(1)}" y1="${PAD}" x2="${x1.toFixed(1)}" y2="${HEIGHT - PAD}" stroke="#999" stroke-dasharray="2 2"/>` +
      (options.markerLabels === false
        ? ''
        : `<text x="${lx}" y="${ly}" transform="rotate(-90 ${lx} ${ly})" font-size="10" fill="#555">${m.label}</text>`)
    );
  });
  const axes = [
    `<line x1="${PAD}" y1="${HEIGHT - PAD}" x2="${width - PAD}" y2="${HEIGHT - PAD}" stroke="#333"/>`,
    `<line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${HEIGHT - PAD}" stroke="#333"/>`,
    ...yTicks.map((t) => `<text x="${PAD - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${t}</text>`),
    ...xTicks.map((t) => `<text x="${x(t)}" y="${HEIGHT - PAD + 16}" text-anchor="middle" font-size="11">${options.xTick(t)}</text>`),
    `<text x="${width / 2}" y="${HEIGHT - 14}" text-anchor="middle" font-size="12">${options.xLabel}</text>`,
    `<text x="14" y="${HEIGHT / 2}" transform="rotate(-90 14 ${HEIGHT / 2})" text-anchor="middle" font-size="12">${options.yLabel}</text>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="14" font-weight="bold">${options.title}</text>`,
  ];
  const legend = series.map(
    (s, i) =>
      `<line x1="${PAD + 10}" y1="${PAD + 8 + i * 16}" x2="${PAD + 34}" y2="${PAD + 8 + i * 16}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>` +
      `<text x="${PAD + 40}" y="${PAD + 12 + i * 16}" font-size="11">${s.label}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}">${[...axes, ...markers, ...lines, ...legend].join('')}</svg>`;
}
