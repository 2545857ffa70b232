/** A live line chart on a canvas: one series per server, the last `capacity` samples, the y axis fitted to what is shown. */

const COLORS = ['#2f6fed', '#1f9d55', '#c62828', '#b45309', '#8a4baf', '#0e7490', '#be185d', '#4d7c0f', '#6b7280'];

export class RateChart {
  private readonly series = new Map<string, number[]>();
  private readonly colors = new Map<string, string>();
  private samples = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly capacity = 60,
  ) {}

  /** Adds one sample per server (a server missing from `values` gets a gap, drawn as 0). */
  add(values: ReadonlyMap<string, number>): void {
    for (const id of values.keys()) {
      if (!this.series.has(id)) {
        this.series.set(id, new Array<number>(this.samples).fill(0));
        this.colors.set(id, COLORS[this.colors.size % COLORS.length]!);
      }
    }
    for (const [id, points] of this.series) {
      points.push(values.get(id) ?? 0);
      if (points.length > this.capacity) points.shift();
    }
    this.samples = Math.min(this.samples + 1, this.capacity);
    this.draw();
  }

  color(id: string): string | undefined {
    return this.colors.get(id);
  }

  /** The last value of each series (what the legend and the tests read). */
  latest(): Map<string, number> {
    return new Map([...this.series].map(([id, points]) => [id, points[points.length - 1] ?? 0]));
  }

  get sampleCount(): number {
    return this.samples;
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth || this.canvas.width;
    const height = this.canvas.clientHeight || this.canvas.height;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const left = 44;
    const bottom = height - 18;
    const top = 8;
    const right = width - 8;
    let max = 1;
    for (const points of this.series.values()) for (const v of points) max = Math.max(max, v);
    max = niceCeiling(max);

    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#6b7280';
    ctx.strokeStyle = '#e3e6eb';
    ctx.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = bottom - ((bottom - top) * i) / 4;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(right, y);
      ctx.stroke();
      ctx.fillText(formatRate((max * i) / 4), 4, y + 4);
    }
    ctx.fillText(`last ${this.capacity} s`, right - 60, height - 4);

    const step = (right - left) / Math.max(1, this.capacity - 1);
    for (const [id, points] of this.series) {
      ctx.strokeStyle = this.colors.get(id)!;
      ctx.lineWidth = 2;
      ctx.beginPath();
      const offset = this.capacity - points.length;
      points.forEach((v, i) => {
        const x = left + (offset + i) * step;
        const y = bottom - ((bottom - top) * v) / max;
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
  }
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 5, 10]) if (value <= m * magnitude) return m * magnitude;
  return 10 * magnitude;
}

export function formatRate(value: number): string {
  return value >= 100 ? String(Math.round(value)) : value >= 10 ? value.toFixed(1) : value.toFixed(2).replace(/\.?0+$/, '') || '0';
}
