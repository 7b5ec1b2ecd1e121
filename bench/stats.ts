/** Order statistics for bench samples. Medians across runs, nearest-rank percentiles within one. */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/** Median of each numeric field over several runs of the same measurement. */
export function medianOf<T extends Record<string, number>>(runs: readonly T[]): T {
  const first = runs[0];
  if (!first) throw new Error('bench: no runs to summarise');
  const out: Record<string, number> = {};
  for (const key of Object.keys(first)) out[key] = median(runs.map((r) => r[key] ?? Number.NaN));
  return out as T;
}

export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
