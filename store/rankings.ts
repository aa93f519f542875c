/**
 * New API's rankings (`GET /api/rankings?period=`): models, vendors and users by tokens over a period,
 * the movers against the period before, and the history of the top models and of the vendors' shares, all
 * read from the hourly `quota_data` aggregate as New API reads them (plus this process's unflushed hours,
 * so the board matches the dashboard). Vendors come from the model catalogue (`models.vendor_id`, exact
 * names); a model without one is "Unknown".
 */
import { asInt, type Db, type SqlValue } from "./db.ts";
import { mergeQuotaData, type QuotaDataRow, quotaKey } from "./quota_data.ts";

const LEADERBOARD = 20;
const HISTORY_MODELS = 10;
const SHARE_VENDORS = 5;
const MOVERS = 6;
const USERS = 20;
const OTHERS = "Others";
const UNKNOWN = "Unknown";

interface Period {
  id: string;
  /** Seconds back from now; 0: since the beginning. */
  duration: number;
  bucket: number;
  label: (at: Date) => string;
  hasPrevious: boolean;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const dayLabel = (d: Date) => `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
const hourLabel = (d: Date) =>
  `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
const monthLabel = (d: Date) => `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
const DAY = 86_400;

const PERIODS: Record<string, Period> = {
  today: { id: "today", duration: DAY, bucket: 3600, label: hourLabel, hasPrevious: true },
  week: { id: "week", duration: 7 * DAY, bucket: DAY, label: dayLabel, hasPrevious: true },
  month: { id: "month", duration: 30 * DAY, bucket: DAY, label: dayLabel, hasPrevious: true },
  year: { id: "year", duration: 365 * DAY, bucket: 7 * DAY, label: dayLabel, hasPrevious: true },
  all: { id: "all", duration: 0, bucket: 30 * DAY, label: monthLabel, hasPrevious: false },
};

/** The period of `?period=` ("" is a week, as in New API), or undefined when New API refuses it. */
export function rankingPeriod(name: string): Period | undefined {
  return Object.hasOwn(PERIODS, name || "week") ? PERIODS[name || "week"] : undefined;
}

interface Meta {
  vendor: string;
  icon: string;
}

const round4 = (v: number) => Math.round(v * 10000) / 10000;
const share = (v: number, total: number) => (total <= 0 || v <= 0 ? 0 : round4(v / total));
const growth = (current: number, previous: number) =>
  previous <= 0 ? (current > 0 ? 100 : 0) : round4((current - previous) / previous * 100);

/** The rows of quota_data in [start, end] summed by `group` (SQL column list) plus the pending ones. */
async function summed(
  db: Db,
  select: string,
  group: string,
  start: number,
  end: number,
  pending: QuotaDataRow[],
  key: (r: QuotaDataRow) => string,
  toRow: (r: Record<string, unknown>) => QuotaDataRow,
): Promise<QuotaDataRow[]> {
  const params: SqlValue[] = [start, end];
  const rows = await db.query(
    `SELECT ${select}, SUM(token_used) AS token_used, SUM(count) AS count, SUM(quota) AS quota
     FROM quota_data WHERE model_name <> '' AND created_at >= ? AND created_at <= ? GROUP BY ${group}`,
    params,
  );
  const inRange = pending.filter((p) => p.modelName !== "" && p.createdAt >= start && p.createdAt <= end);
  return mergeQuotaData(rows.map(toRow), inRange, key);
}

const blank: QuotaDataRow = {
  id: 0,
  userId: 0,
  username: "",
  modelName: "",
  useGroup: "",
  tokenId: 0,
  channelId: 0,
  nodeName: "",
  createdAt: 0,
  tokenUsed: 0,
  count: 0,
  quota: 0,
};
const sums = (r: Record<string, unknown>) => ({
  tokenUsed: asInt(r.token_used),
  count: asInt(r.count),
  quota: asInt(r.quota),
});

/** Models by tokens, largest first (ties by name), only those with tokens. */
async function modelTotals(db: Db, start: number, end: number, pending: QuotaDataRow[]) {
  const rows = await summed(
    db,
    "model_name",
    "model_name",
    start,
    end,
    pending,
    quotaKey("modelName"),
    (r) => ({ ...blank, modelName: String(r.model_name), ...sums(r) }),
  );
  return rows.filter((r) => r.tokenUsed > 0)
    .sort((a, b) => b.tokenUsed - a.tokenUsed || a.modelName.localeCompare(b.modelName));
}

async function catalogue(db: Db): Promise<Map<string, Meta>> {
  const rows = await db.query(
    `SELECT m.model_name, v.name, v.icon FROM models m JOIN vendors v ON v.id = m.vendor_id
     WHERE m.deleted_at IS NULL AND v.deleted_at IS NULL AND m.name_rule = 0`,
  );
  return new Map(
    rows.map((
      r,
    ) => [String(r.model_name), { vendor: String(r.name || UNKNOWN), icon: String(r.icon ?? "") }]),
  );
}

export interface RankingsOptions {
  now: number;
  /** Admins see the users' board; others get none (New API's public board names its users). */
  withUsers: boolean;
  pending: QuotaDataRow[];
}

/** New API's RankingsResponse for `period`. */
export async function rankings(db: Db, period: Period, opts: RankingsOptions) {
  const end = opts.now;
  const start = period.duration > 0 ? end - period.duration : 0;
  const meta = await catalogue(db);
  const metaOf = (model: string): Meta => meta.get(model) ?? { vendor: UNKNOWN, icon: "" };
  const current = await modelTotals(db, start, end, opts.pending);
  const previous = period.hasPrevious
    ? await modelTotals(db, start - period.duration, start - 1, opts.pending)
    : [];
  const total = current.reduce((s, r) => s + r.tokenUsed, 0);
  const previousRank = new Map(previous.map((r, i) => [r.modelName, i + 1]));
  const previousTokens = new Map(previous.map((r) => [r.modelName, r.tokenUsed]));

  const models = current.map((r, i) => {
    const m = metaOf(r.modelName);
    const before = previousRank.get(r.modelName);
    return {
      rank: i + 1,
      ...(before !== undefined ? { previous_rank: before } : {}),
      model_name: r.modelName,
      vendor: m.vendor,
      ...(m.icon ? { vendor_icon: m.icon } : {}),
      category: "all",
      total_tokens: r.tokenUsed,
      share: share(r.tokenUsed, total),
      growth_pct: period.hasPrevious ? growth(r.tokenUsed, previousTokens.get(r.modelName) ?? 0) : 0,
    };
  });

  // Vendors: every one with tokens, largest first.
  const byVendor = new Map<
    string,
    { icon: string; tokens: number; before: number; models: Set<string>; top: string; topTokens: number }
  >();
  const vendorOf = (m: Meta) => {
    let v = byVendor.get(m.vendor);
    if (!v) {
      byVendor.set(
        m.vendor,
        v = { icon: m.icon, tokens: 0, before: 0, models: new Set(), top: "", topTokens: 0 },
      );
    }
    if (!v.icon && m.icon) v.icon = m.icon;
    return v;
  };
  for (const r of current) {
    const v = vendorOf(metaOf(r.modelName));
    v.tokens += r.tokenUsed;
    v.models.add(r.modelName);
    if (r.tokenUsed > v.topTokens) [v.top, v.topTokens] = [r.modelName, r.tokenUsed];
  }
  for (const r of previous) vendorOf(metaOf(r.modelName)).before += r.tokenUsed;
  const vendors = [...byVendor].filter(([, v]) => v.tokens > 0)
    .sort(([an, a], [bn, b]) => b.tokens - a.tokens || (an < bn ? -1 : an > bn ? 1 : 0))
    .map(([name, v], i) => ({
      rank: i + 1,
      vendor: name,
      ...(v.icon ? { vendor_icon: v.icon } : {}),
      total_tokens: v.tokens,
      share: share(v.tokens, total),
      growth_pct: period.hasPrevious ? growth(v.tokens, v.before) : 0,
      models_count: v.models.size,
      top_model: v.top,
    }));

  // History: tokens per bucket of the top models (the rest as "Others") and of the top vendors' shares.
  const bucketRows = await summed(
    db,
    `model_name, created_at - created_at % ${period.bucket} AS bucket`,
    `model_name, created_at - created_at % ${period.bucket}`,
    start,
    end,
    opts.pending,
    (r) => `${r.modelName}\u0000${r.createdAt - r.createdAt % period.bucket}`,
    (r) => ({ ...blank, modelName: String(r.model_name), createdAt: asInt(r.bucket), ...sums(r) }),
  );
  const buckets = [...new Set(bucketRows.map((r) => r.createdAt - r.createdAt % period.bucket))]
    .sort((a, b) => a - b);
  const ts = (b: number) => new Date(b * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const label = (b: number) => period.label(new Date(b * 1000));

  const topModels = current.slice(0, HISTORY_MODELS);
  const otherModels = current.slice(HISTORY_MODELS).reduce((s, r) => s + r.tokenUsed, 0);
  const historyModels = [
    ...topModels.map((r) => ({ name: r.modelName, vendor: metaOf(r.modelName).vendor, total: r.tokenUsed })),
    ...(otherModels > 0 ? [{ name: OTHERS, vendor: "Various", total: otherModels }] : []),
  ];
  const topModelNames = new Set(topModels.map((r) => r.modelName));
  const topVendors = vendors.slice(0, SHARE_VENDORS);
  const otherVendors = vendors.slice(SHARE_VENDORS).reduce((s, v) => s + v.total_tokens, 0);
  const shareVendors = [
    ...topVendors.map((v) => ({ name: v.vendor, total: v.total_tokens, share: v.share })),
    ...(otherVendors > 0 ? [{ name: OTHERS, total: otherVendors, share: share(otherVendors, total) }] : []),
  ];
  const topVendorNames = new Set(topVendors.map((v) => v.vendor));
  const perModel = new Map<number, Map<string, number>>();
  const perVendor = new Map<number, Map<string, number>>();
  const bucketTotal = new Map<number, number>();
  const add = (m: Map<number, Map<string, number>>, b: number, k: string, v: number) => {
    let inner = m.get(b);
    if (!inner) m.set(b, inner = new Map());
    inner.set(k, (inner.get(k) ?? 0) + v);
  };
  for (const r of bucketRows) {
    if (r.tokenUsed <= 0) continue;
    const b = r.createdAt - r.createdAt % period.bucket;
    add(perModel, b, topModelNames.has(r.modelName) ? r.modelName : OTHERS, r.tokenUsed);
    const vendor = metaOf(r.modelName).vendor;
    add(perVendor, b, topVendorNames.has(vendor) ? vendor : OTHERS, r.tokenUsed);
    bucketTotal.set(b, (bucketTotal.get(b) ?? 0) + r.tokenUsed);
  }
  const modelPoints = buckets.flatMap((b) =>
    historyModels.flatMap((m) => {
      const tokens = perModel.get(b)?.get(m.name) ?? 0;
      return tokens > 0 ? [{ ts: ts(b), label: label(b), model: m.name, vendor: m.vendor, tokens }] : [];
    })
  );
  const vendorPoints = buckets.flatMap((b) =>
    shareVendors.flatMap((v) => {
      const tokens = perVendor.get(b)?.get(v.name) ?? 0;
      return tokens > 0
        ? [{
          ts: ts(b),
          label: label(b),
          vendor: v.name,
          share: share(tokens, bucketTotal.get(b) ?? 0),
          tokens,
        }]
        : [];
    })
  );

  // Movers: models whose rank changed against the period before.
  const moved = models.flatMap((m) =>
    m.previous_rank === undefined || m.previous_rank === m.rank ? [] : [{
      model_name: m.model_name,
      vendor: m.vendor,
      ...(m.vendor_icon ? { vendor_icon: m.vendor_icon } : {}),
      rank_delta: m.previous_rank - m.rank,
      current_rank: m.rank,
      growth_pct: m.growth_pct,
    }]
  );
  const movers = moved.filter((m) => m.rank_delta > 0)
    .sort((a, b) => b.rank_delta - a.rank_delta || b.growth_pct - a.growth_pct).slice(0, MOVERS);
  const droppers = moved.filter((m) => m.rank_delta < 0)
    .sort((a, b) => a.rank_delta - b.rank_delta || a.growth_pct - b.growth_pct).slice(0, MOVERS);

  return {
    models: models.slice(0, LEADERBOARD),
    vendors,
    users: opts.withUsers ? await rankedUsers(db, start, end, opts.pending) : null,
    top_movers: movers,
    top_droppers: droppers,
    models_history: { points: modelPoints, models: historyModels, buckets: buckets.length },
    vendor_share_history: { points: vendorPoints, vendors: shareVendors, buckets: buckets.length },
  };
}

/** Users by tokens with their request count and most used model; null when nobody used any (as New API). */
async function rankedUsers(db: Db, start: number, end: number, pending: QuotaDataRow[]) {
  const rows = await summed(
    db,
    "user_id, model_name",
    "user_id, model_name",
    start,
    end,
    pending,
    quotaKey("userId", "modelName"),
    (r) => ({ ...blank, userId: asInt(r.user_id), modelName: String(r.model_name), ...sums(r) }),
  );
  const byUser = new Map<number, { tokens: number; count: number; top: string; topTokens: number }>();
  for (const r of rows) {
    if (r.userId <= 0) continue;
    let u = byUser.get(r.userId);
    if (!u) byUser.set(r.userId, u = { tokens: 0, count: 0, top: "", topTokens: 0 });
    u.tokens += r.tokenUsed;
    u.count += r.count;
    if (r.tokenUsed > u.topTokens) [u.top, u.topTokens] = [r.modelName, r.tokenUsed];
  }
  const ranked = [...byUser].filter(([, u]) => u.tokens > 0)
    .sort(([ai, a], [bi, b]) => b.tokens - a.tokens || ai - bi).slice(0, USERS);
  if (ranked.length === 0) return null;
  const ids = ranked.map(([id]) => id);
  const names = new Map(
    (await db.query(
      `SELECT id, username, display_name FROM users WHERE id IN (${ids.map(() => "?").join(", ")})`,
      ids,
    )).map((
      u,
    ) => [asInt(u.id), { username: String(u.username ?? ""), display: String(u.display_name ?? "") }]),
  );
  const total = ranked.reduce((s, [, u]) => s + u.tokens, 0);
  return ranked.map(([id, u], i) => ({
    rank: i + 1,
    user_id: id,
    username: names.get(id)?.username ?? "",
    display_name: names.get(id)?.display ?? "",
    total_tokens: u.tokens,
    count: u.count,
    share: share(u.tokens, total),
    top_model: u.top,
  }));
}
