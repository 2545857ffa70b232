/** A plain-text table with aligned columns: numbers right-aligned, text left-aligned. */
export interface Column<R> {
  title: string;
  value: (row: R) => string | number | undefined;
  align?: 'left' | 'right';
}

const EMPTY = '-';

export function renderTable<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  const cells = rows.map((row) => columns.map((c) => String(c.value(row) ?? EMPTY)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]): string =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...cells.map(line)].join('\n');
}
