/**
 * Turns New API's dashboard rows (`GET /api/data/self`: hourly `quota_data` buckets per model) into chart
 * series: one time axis of fixed buckets, one value array per model, zeros where a model had no traffic.
 */
export interface QuotaDataRow {
  model_name: string;
  /** Unix seconds at the start of the hour. */
  created_at: number;
  token_used: number;
  count: number;
  quota: number;
}

export interface UsageSeries {
  /** Bucket start times (unix seconds). */
  times: number[];
  models: string[];
  /** quota[m][i]: quota of models[m] in bucket i. */
  quota: number[][];
  count: number[][];
  tokens: number[][];
  totals: { quota: number; count: number; tokens: number };
}

export const RANGES = {
  "24h": { seconds: 24 * 3600, bucket: 3600 },
  "7d": { seconds: 7 * 86400, bucket: 86400 },
  // 29 days plus the current day's bucket: 30 buckets, the most `/api/data/self` answers (2,592,000 s).
  "30d": { seconds: 29 * 86400, bucket: 86400 },
} as const;
export type RangeName = keyof typeof RANGES;

/**
 * Buckets rows into [start, end) by `bucketSeconds`, aligned to `start`. Models are ordered by total quota,
 * largest first, so the legend lists what costs most. Rows outside the range are ignored.
 */
export function usageSeries(
  rows: QuotaDataRow[],
  start: number,
  end: number,
  bucketSeconds: number,
): UsageSeries {
  const buckets = Math.max(1, Math.ceil((end - start) / bucketSeconds));
  const times = Array.from({ length: buckets }, (_, i) => start + i * bucketSeconds);
  const byModel = new Map<string, { quota: number[]; count: number[]; tokens: number[]; sum: number }>();
  const totals = { quota: 0, count: 0, tokens: 0 };
  for (const row of rows) {
    if (row.created_at < start || row.created_at >= end) continue;
    const i = Math.floor((row.created_at - start) / bucketSeconds);
    let m = byModel.get(row.model_name);
    if (!m) {
      const zeros = () => new Array<number>(buckets).fill(0);
      m = { quota: zeros(), count: zeros(), tokens: zeros(), sum: 0 };
      byModel.set(row.model_name, m);
    }
    m.quota[i] += row.quota;
    m.count[i] += row.count;
    m.tokens[i] += row.token_used;
    m.sum += row.quota;
    totals.quota += row.quota;
    totals.count += row.count;
    totals.tokens += row.token_used;
  }
  const models = [...byModel.keys()].sort((a, b) =>
    byModel.get(b)!.sum - byModel.get(a)!.sum || a.localeCompare(b)
  );
  return {
    times,
    models,
    quota: models.map((m) => byModel.get(m)!.quota),
    count: models.map((m) => byModel.get(m)!.count),
    tokens: models.map((m) => byModel.get(m)!.tokens),
    totals,
  };
}

/** The end of the hour `now` is in: the end of every range, so the current hour is the last bucket. */
const hourEnd = (now: number) => Math.floor(now / 3600) * 3600 + 3600;

/** The start of the range ending now, aligned down to a whole bucket (so buckets match the hourly rows). */
export function rangeStart(now: number, range: RangeName): number {
  const { seconds, bucket } = RANGES[range];
  return Math.floor((hourEnd(now) - seconds) / bucket) * bucket;
}

/**
 * The `[start, end)` a range charts and asks `/api/data/self` for: whole buckets up to the current one
 * (at most 2,592,000 s, the route's limit).
 */
export function rangeBounds(now: number, range: RangeName): { start: number; end: number } {
  const start = rangeStart(now, range);
  const { bucket } = RANGES[range];
  return { start, end: start + Math.ceil((hourEnd(now) - start) / bucket) * bucket };
}

/** The longest span `/api/data/self` answers (30 days). */
export const MAX_RANGE_SECONDS = 2_592_000;

/**
 * A custom range from two `date` fields (`YYYY-MM-DD`, local days, both included): `[start, end)` from the
 * first day's midnight to the midnight after the last, hourly buckets for up to two days and daily ones
 * beyond. Undefined when a field is empty or the days are reversed; `tooLong` past MAX_RANGE_SECONDS.
 */
export function customBounds(
  from: string,
  to: string,
): { start: number; end: number; bucket: number; tooLong: boolean } | undefined {
  const day = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00`) : undefined;
  const first = day(from);
  const last = day(to);
  if (!first || !last || Number.isNaN(first.getTime()) || Number.isNaN(last.getTime())) return undefined;
  const after = new Date(last);
  after.setDate(after.getDate() + 1);
  const start = Math.floor(first.getTime() / 1000);
  const end = Math.floor(after.getTime() / 1000);
  if (end <= start) return undefined;
  return {
    start,
    end,
    bucket: end - start <= 2 * 86400 ? 3600 : 86400,
    tooLong: end - start > MAX_RANGE_SECONDS,
  };
}

/** `YYYY-MM-DD` of the local day `unixSeconds` is in (a `date` field's value). */
export function localDay(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export interface RankedUsage {
  name: string;
  quota: number;
  count: number;
  tokens: number;
  /** Of the listed total quota, 0..1. */
  share: number;
}

/** Rows summed by `nameOf`, largest quota first (ties by name), with each one's share of the quota. */
export function rankUsage<T extends { quota: number; count: number; token_used: number }>(
  rows: T[],
  nameOf: (row: T) => string,
): RankedUsage[] {
  const by = new Map<string, RankedUsage>();
  let total = 0;
  for (const r of rows) {
    const name = nameOf(r);
    let e = by.get(name);
    if (!e) by.set(name, e = { name, quota: 0, count: 0, tokens: 0, share: 0 });
    e.quota += r.quota;
    e.count += r.count;
    e.tokens += r.token_used;
    total += r.quota;
  }
  return [...by.values()]
    .map((e) => ({ ...e, share: total > 0 ? e.quota / total : 0 }))
    .sort((a, b) => b.quota - a.quota || a.name.localeCompare(b.name));
}
