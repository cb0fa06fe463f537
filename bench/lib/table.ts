export interface Row {
  metric: string;
  unit: string;
  ours: number | null;
  engine: number | null;
  /** ours / engine, or null when the engine has no counterpart. */
  ratio: number | null;
}

export function row(metric: string, unit: string, ours: number | null, engine: number | null): Row {
  const ratio = ours !== null && engine !== null && engine !== 0 ? ours / engine : null;
  return { metric, unit, ours, engine, ratio };
}

function format(value: number | null, digits: number): string {
  if (value === null || Number.isNaN(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function digitsFor(unit: string): number {
  return unit === 'req/s' || unit === 'MiB' || unit === 'KiB' ? 1 : 2;
}

/** A plain-text table with right-aligned numbers, one line per row. */
export function renderTable(rows: readonly Row[]): string {
  const header = ['metric', 'unit', 'ours', 'engine', 'ratio'];
  const cells = rows.map((r) => [r.metric, r.unit, format(r.ours, digitsFor(r.unit)), format(r.engine, digitsFor(r.unit)), format(r.ratio, 2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(header), rule, ...cells.map(line)].join('\n');
}
