/** The value below which `p` percent of `sorted` lies (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** Rounds for display. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A Markdown table of `rows` with the given columns. */
export function formatTable(columns: string[], rows: (string | number)[][]): string {
  const cells = [columns, ...rows.map((row) => row.map(String))];
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => row[index].length)));
  const line = (row: string[]) => `| ${row.map((cell, index) => cell.padEnd(widths[index])).join(' | ')} |`;
  return [line(cells[0]), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

/** Latency percentiles over everything owed; a delivery that never came counts as infinitely late. */
export interface LatencySummary {
  samples: number;
  /** Deliveries owed but not seen before the drain deadline. */
  missing: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Summarises `latencies` (ms) against `expected` deliveries. */
export function summarizeLatencies(latencies: ArrayLike<number>, expected: number): LatencySummary {
  const missing = Math.max(0, expected - latencies.length);
  const sorted = new Float64Array(latencies.length + missing);
  sorted.set(latencies as ArrayLike<number>);
  sorted.fill(Number.POSITIVE_INFINITY, latencies.length);
  sorted.sort();
  const pick = (p: number) => round(percentile(sorted, p));
  return { samples: latencies.length, missing, p50: pick(50), p95: pick(95), p99: pick(99), max: round(sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN) };
}

/** Median of a few numbers. */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A number for a table cell: `∞` for infinity, `–` for NaN or undefined. */
export function cell(value: number | undefined | null, digits = 1): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  if (value === Number.POSITIVE_INFINITY) return '∞';
  return String(round(value, digits));
}
