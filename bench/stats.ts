/**
 * Order statistics for bench samples, and the side-by-side figures: per-pair ratios mock / Go with
 * their min, median and max. Pure functions, unit-tested in test/bench/stats.test.ts.
 */

/** Nearest-rank percentile (p in 0..100) of one run's samples, e.g. TTFE p99 over 1,000 streams. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** The middle value; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/**
 * Pair i is (mock[i], go[i]), measured back to back, so both saw the same machine load; the ratio
 * is taken within each pair and only then summarised. Pairs with a missing or non-positive
 * baseline are dropped rather than turned into Infinity.
 */
export function pairRatios(mock: readonly number[], go: readonly number[]): number[] {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(mock.length, go.length); i++) {
    const a = mock[i];
    const b = go[i];
    if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) continue;
    ratios.push(a / b);
  }
  return ratios;
}

/** A lower-is-better goal `mock ≤ limit × Go`, judged on the median of the per-pair ratios. */
export function meetsRatio(ratios: readonly number[], limit = 1): boolean {
  return ratios.length > 0 && median(ratios) <= limit;
}

export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
