/**
 * What a row must reach: ours/engine (`ratio`) or ours itself (`value`, in its unit) at most
 * `max` (strictly below when `strict`), or at least `min` (throughput: higher is better).
 */
export interface Goal {
  kind: 'ratio' | 'value';
  max?: number;
  min?: number;
  strict?: boolean;
  label: string;
}

export interface Row {
  metric: string;
  unit: string;
  ours: number | null;
  engine: number | null;
  /** ours / engine, or null when the engine has no counterpart. */
  ratio: number | null;
  /** The goal's label and whether this run met it; absent where no target exists. */
  target?: { label: string; pass: boolean };
}

export const ratioAtMost = (max: number, label = `ours <= ${max}x engine`): Goal => ({ kind: 'ratio', max, label });
export const below = (max: number, unit: string): Goal => ({ kind: 'value', max, strict: true, label: `< ${max} ${unit}` });
export const atMost = (max: number, unit: string): Goal => ({ kind: 'value', max, label: `<= ${max.toLocaleString('en-US')} ${unit}` });
export const atLeast = (min: number, unit: string): Goal => ({ kind: 'value', min, label: `>= ${min.toLocaleString('en-US')} ${unit}` });
export const ratioAtLeast = (min: number, label = `ours >= ${min}x engine`): Goal => ({ kind: 'ratio', min, label });

function meets(goal: Goal, value: number | null): boolean {
  if (value === null || !Number.isFinite(value)) return false;
  if (goal.max !== undefined && (goal.strict ? value >= goal.max : value > goal.max)) return false;
  return goal.min === undefined || value >= goal.min;
}

export function row(metric: string, unit: string, ours: number | null, engine: number | null, goal?: Goal): Row {
  const ratio = ours !== null && engine !== null && engine !== 0 ? ours / engine : null;
  const r: Row = { metric, unit, ours, engine, ratio };
  if (goal) {
    r.target = { label: goal.label, pass: meets(goal, goal.kind === 'ratio' ? ratio : ours) };
  }
  return r;
}

function format(value: number | null, digits: number): string {
  if (value === null || Number.isNaN(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function digitsFor(unit: string): number {
  return unit === 'req/s' || unit === 'MiB' || unit === 'KiB' ? 1 : 2;
}

/** Ratios far below 1 keep three significant digits (0.00412), others two decimals. */
function formatRatio(ratio: number | null): string {
  if (ratio === null || Number.isNaN(ratio)) return '-';
  return ratio < 0.1 && ratio > 0 ? ratio.toPrecision(3) : format(ratio, 2);
}

function formatTarget(r: Row): string {
  if (!r.target) return '';
  return `${r.target.pass ? 'pass' : 'FAIL'}: ${r.target.label}`;
}

/** A plain-text table with right-aligned numbers, one line per row; `engineHeader` names the column compared against. */
export function renderTable(rows: readonly Row[], engineHeader = 'engine'): string {
  const header = ['metric', 'unit', 'ours', engineHeader, 'ratio', 'target'];
  const cells = rows.map((r) => [
    r.metric,
    r.unit,
    format(r.ours, digitsFor(r.unit)),
    format(r.engine, digitsFor(r.unit)),
    formatRatio(r.ratio),
    formatTarget(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((cell, i) => (i < 2 || i === 5 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(header), rule, ...cells.map(line)].join('\n');
}
