import { medianResults, renderReport, repeatedRows, type Results } from '../../bench/report';

const run = (cluster: number, baseline: number, adapter: number): Results => ({
  chat: {
    cluster: { figures: [{ name: 'peak delivered', unit: 'msg/s', value: cluster }], details: { n: cluster } },
    baseline: { figures: [{ name: 'peak delivered', unit: 'msg/s', value: baseline }], details: { n: baseline } },
    adapter: { figures: [{ name: 'peak delivered', unit: 'msg/s', value: adapter }], details: { n: adapter } },
  },
});

describe('bench --repeat: medians and the ratio of every run', () => {
  const runs = [run(100, 50, 80), run(140, 70, 60), run(90, 90, 90)];

  it('takes each figure as its median over the runs and keeps every run in the details', () => {
    const merged = medianResults(runs);
    expect(merged.chat?.cluster?.figures[0]?.value).toBe(100);
    expect(merged.chat?.baseline?.figures[0]?.value).toBe(70);
    expect(merged.chat?.adapter?.figures[0]?.value).toBe(80);
    expect(merged.chat?.cluster?.details).toEqual({ runs: [{ n: 100 }, { n: 140 }, { n: 90 }] });
  });

  it('averages the middle two of an even count', () => {
    expect(medianResults(runs.slice(0, 2)).chat?.cluster?.figures[0]?.value).toBe(120);
  });

  it('leaves a single run as it is', () => {
    expect(medianResults([runs[0]!])).toBe(runs[0]);
    expect(repeatedRows(runs[0]!, [runs[0]!])[0]).not.toHaveProperty('ratioRuns');
  });

  it('gives the ratios of the medians, and each run ratio in order, in the table too', () => {
    const [row] = repeatedRows(medianResults(runs), runs);
    expect(row).toMatchObject({ cluster: 100, baseline: 70, adapter: 80, ratio: 1.43, adapterRatio: 1.25 });
    expect(row!.ratioRuns).toEqual([2, 2, 1]);
    expect(row!.adapterRatioRuns).toEqual([1.25, 2.33, 1]);
    const table = renderReport(repeatedRows(medianResults(runs), runs), 3);
    expect(table).toMatch(/RATIO, EACH RUN\s+TO ADAPTER, EACH RUN/);
    expect(table).toContain('2 2 1');
    expect(table).toContain('1.25 2.33 1');
  });
});
