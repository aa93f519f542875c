/** Percentiles, paired differences and trend slopes for the side-by-side benchmark (pure functions). */

export interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(p * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function summarize(values: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

export function median(values: number[]): number {
  const finite = values.filter(Number.isFinite);
  return percentile(Float64Array.from(finite).sort(), 0.5);
}

/**
 * The added cost of a target over a baseline measured in the same rounds: the median of the per-round
 * differences, so a slow spell of the shared machine that hits both sides of one round cancels out.
 */
export function pairedAdded(target: number[], base: number[]): number {
  const diffs: number[] = [];
  for (let i = 0; i < Math.min(target.length, base.length); i++) {
    if (Number.isFinite(target[i]) && Number.isFinite(base[i])) diffs.push(target[i] - base[i]);
  }
  return diffs.length ? median(diffs) : NaN;
}

/** Least-squares slope of y over x; NaN with fewer than two distinct x. */
export function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  let sx = 0, sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n, my = sy / n;
  let num = 0, den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/** Ratio a/b, or null when either side is missing or b is zero (JSON has no NaN). */
export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return null;
  }
  return a / b;
}

/** Rounds for display and JSON: 3 significant decimals below 10, fewer above. */
export function round(v: number): number | null {
  if (!Number.isFinite(v)) return null;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 3;
  return Number(v.toFixed(digits));
}
