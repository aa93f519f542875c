/**
 * Hourly usage aggregates for the dashboard (`quota_data`, New API's columns). Consumption is summed in
 * memory per (user, username, model, hour, group, token, channel, node) — New API's `use_group`,
 * `token_id`, `channel_id` and `node_name` breakdown, which its flow view reads — and flushed in one
 * transaction every DataExportInterval minutes and at shutdown. It is derived data: the logs stay the
 * record of truth. Rows written before this breakdown (or by an older New API) have empty ones.
 */
import { asInt, type Db, lockTransaction, type Row } from "./db.ts";

export interface QuotaDataRow extends Bucket {
  id: number;
}

/** What one bucket is keyed by, besides its hour. */
export interface QuotaDataKey {
  userId: number;
  username: string;
  modelName: string;
  useGroup: string;
  tokenId: number;
  channelId: number;
  nodeName: string;
}

interface Bucket extends QuotaDataKey {
  createdAt: number;
  tokenUsed: number;
  count: number;
  quota: number;
}

/** Arbitrary constant naming the flush among PostgreSQL advisory locks (one instance flushes at a time). */
const FLUSH_LOCK = 720_431_978;

export class QuotaDataAggregator {
  #buckets = new Map<string, Bucket>();

  /** `nodeName`: this instance's NODE_NAME, written with every bucket as New API does. */
  constructor(private readonly nodeName = "") {}

  /** Adds one consume row's numbers to its hour bucket. */
  add(
    e: Omit<QuotaDataKey, "useGroup" | "tokenId" | "channelId" | "nodeName"> & {
      useGroup?: string;
      tokenId?: number;
      channelId?: number;
      createdAt: number;
      quota: number;
      tokens: number;
    },
  ) {
    const hour = e.createdAt - (e.createdAt % 3600);
    const k: QuotaDataKey = {
      userId: e.userId,
      username: e.username,
      modelName: e.modelName,
      useGroup: e.useGroup ?? "",
      tokenId: e.tokenId ?? 0,
      channelId: e.channelId ?? 0,
      nodeName: this.nodeName,
    };
    const key = [k.userId, k.username, k.modelName, hour, k.useGroup, k.tokenId, k.channelId].join("\u0000");
    const b = this.#buckets.get(key);
    if (b) {
      b.count += 1;
      b.quota += e.quota;
      b.tokenUsed += e.tokens;
    } else {
      this.#buckets.set(key, { ...k, createdAt: hour, tokenUsed: e.tokens, count: 1, quota: e.quota });
    }
  }

  get pending(): number {
    return this.#buckets.size;
  }

  /**
   * The buckets not yet written, as rows (id 0), for readers that want this hour now rather than after the
   * next flush. A batch being written is briefly in neither place: reads may undercount, never double.
   */
  pendingRows(match: (row: QuotaDataRow) => boolean): QuotaDataRow[] {
    return [...this.#buckets.values()].map((b) => ({ id: 0, ...b })).filter(match);
  }

  /** Writes every pending bucket (increment or insert); on failure the buckets are kept for the next try. */
  async flush(db: Db): Promise<number> {
    if (this.#buckets.size === 0) return 0;
    const batch = this.#buckets;
    this.#buckets = new Map();
    try {
      await db.transaction(async (tx) => {
        await lockTransaction(tx, FLUSH_LOCK);
        for (const b of batch.values()) {
          const key = [
            b.userId,
            b.username,
            b.modelName,
            b.createdAt,
            b.useGroup,
            b.tokenId,
            b.channelId,
            b.nodeName,
          ];
          const updated = await tx.exec(
            `UPDATE quota_data SET count = count + ?, quota = quota + ?, token_used = token_used + ?
             WHERE user_id = ? AND username = ? AND model_name = ? AND created_at = ? AND use_group = ?
               AND token_id = ? AND channel_id = ? AND node_name = ?`,
            [b.count, b.quota, b.tokenUsed, ...key],
          );
          if (updated.changes === 0) {
            await tx.exec(
              `INSERT INTO quota_data (user_id, username, model_name, created_at, use_group, token_id,
                 channel_id, node_name, token_used, count, quota)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              [...key, b.tokenUsed, b.count, b.quota],
            );
          }
        }
      });
    } catch (err) {
      for (const [key, b] of batch) {
        const now = this.#buckets.get(key);
        if (now) {
          now.count += b.count;
          now.quota += b.quota;
          now.tokenUsed += b.tokenUsed;
        } else this.#buckets.set(key, b);
      }
      throw err;
    }
    return batch.size;
  }
}

function fromRow(r: Row): QuotaDataRow {
  return {
    id: asInt(r.id),
    userId: asInt(r.user_id),
    username: String(r.username ?? ""),
    modelName: String(r.model_name ?? ""),
    useGroup: String(r.use_group ?? ""),
    tokenId: asInt(r.token_id),
    channelId: asInt(r.channel_id),
    nodeName: String(r.node_name ?? ""),
    createdAt: asInt(r.created_at),
    tokenUsed: asInt(r.token_used),
    count: asInt(r.count),
    quota: asInt(r.quota),
  };
}

const SUMS = "SUM(count) AS count, SUM(quota) AS quota, SUM(token_used) AS token_used";

/** One user's usage per model and hour in [start, end] (the dashboard's own view), as New API sums it. */
export async function quotaDataForUser(
  db: Db,
  userId: number,
  start: number,
  end: number,
): Promise<QuotaDataRow[]> {
  const rows = await db.query(
    `SELECT user_id, username, model_name, created_at, ${SUMS} FROM quota_data
     WHERE user_id = ? AND created_at >= ? AND created_at <= ?
     GROUP BY user_id, username, model_name, created_at ORDER BY created_at`,
    [userId, start, end],
  );
  return rows.map(fromRow);
}

/** Admin view: one username's usage per model and hour, or all users summed per model and hour. */
export async function quotaDataForAdmin(
  db: Db,
  start: number,
  end: number,
  username?: string,
): Promise<QuotaDataRow[]> {
  if (username) {
    const rows = await db.query(
      `SELECT user_id, username, model_name, created_at, ${SUMS} FROM quota_data
       WHERE username = ? AND created_at >= ? AND created_at <= ?
       GROUP BY user_id, username, model_name, created_at ORDER BY created_at`,
      [username, start, end],
    );
    return rows.map(fromRow);
  }
  const rows = await db.query(
    `SELECT model_name, created_at, ${SUMS}
     FROM quota_data WHERE created_at >= ? AND created_at <= ? GROUP BY model_name, created_at ORDER BY created_at`,
    [start, end],
  );
  return rows.map(fromRow);
}

/** New API's `/api/data/users`: every user's usage per hour (all models summed). */
export async function quotaDataByUser(db: Db, start: number, end: number): Promise<QuotaDataRow[]> {
  const rows = await db.query(
    `SELECT username, created_at, ${SUMS} FROM quota_data WHERE created_at >= ? AND created_at <= ?
     GROUP BY username, created_at ORDER BY created_at, username`,
    [start, end],
  );
  return rows.map(fromRow);
}

/** The dimensions of New API's flow view, by the caller's role. */
export type FlowScope = "self" | "admin" | "root";

const FLOW_DIMENSIONS: Record<FlowScope, (keyof QuotaDataKey)[]> = {
  self: ["tokenId", "useGroup", "modelName"],
  admin: ["userId", "username", "useGroup", "modelName", "channelId"],
  root: ["userId", "username", "nodeName", "tokenId", "useGroup", "modelName", "channelId"],
};

const COLUMN: Record<keyof QuotaDataKey, string> = {
  userId: "user_id",
  username: "username",
  modelName: "model_name",
  useGroup: "use_group",
  tokenId: "token_id",
  channelId: "channel_id",
  nodeName: "node_name",
};

export interface FlowRow {
  key: Partial<QuotaDataKey>;
  count: number;
  quota: number;
  tokenUsed: number;
}

/**
 * New API's flow view (`/api/data/flow[/self]`): usage with a group (`use_group <> ''`) in [start, end],
 * summed by the scope's dimensions, plus the unflushed `pending` rows, largest quota first.
 */
export async function flowQuotaData(
  db: Db,
  scope: FlowScope,
  start: number,
  end: number,
  filter: { userId?: number; username?: string },
  pending: QuotaDataRow[],
): Promise<FlowRow[]> {
  const dims = FLOW_DIMENSIONS[scope];
  const cols = dims.map((d) => COLUMN[d]).join(", ");
  const where = ["use_group <> ''", "created_at >= ?", "created_at <= ?"];
  const params: (string | number)[] = [start, end];
  if (filter.userId !== undefined) {
    where.push("user_id = ?");
    params.push(filter.userId);
  }
  if (filter.username) {
    where.push("username = ?");
    params.push(filter.username);
  }
  const rows = await db.query(
    `SELECT ${cols}, ${SUMS} FROM quota_data WHERE ${where.join(" AND ")} GROUP BY ${cols}`,
    params,
  );
  const inScope = pending.filter((p) =>
    p.useGroup !== "" && p.createdAt >= start && p.createdAt <= end &&
    (filter.userId === undefined || p.userId === filter.userId) &&
    (!filter.username || p.username === filter.username)
  );
  return mergeQuotaData(rows.map(fromRow), inScope, quotaKey(...dims))
    .sort((a, b) => b.quota - a.quota)
    .map((r) => ({
      key: Object.fromEntries(dims.map((d) => [d, r[d]])),
      count: r.count,
      quota: r.quota,
      tokenUsed: r.tokenUsed,
    }));
}

/** A merge key of the given fields (for mergeQuotaData). */
export function quotaKey(...fields: (keyof QuotaDataRow)[]): (r: QuotaDataRow) => string {
  return (r) => fields.map((f) => r[f]).join("\u0000");
}

/**
 * Adds unflushed rows to rows read from the table: each is summed into the row of the same `keyOf` key,
 * or becomes its own row through `fresh` (which may clear the fields the view does not group by). In
 * first-seen order (the table's rows first); callers sort.
 */
export function mergeQuotaData(
  rows: QuotaDataRow[],
  pending: QuotaDataRow[],
  keyOf: (r: QuotaDataRow) => string,
  fresh: (r: QuotaDataRow) => QuotaDataRow = (r) => ({ ...r }),
): QuotaDataRow[] {
  const merged = new Map(rows.map((r) => [keyOf(r), { ...r }]));
  for (const p of pending) {
    const row = merged.get(keyOf(p));
    if (row) {
      row.count += p.count;
      row.quota += p.quota;
      row.tokenUsed += p.tokenUsed;
    } else merged.set(keyOf(p), fresh(p));
  }
  return [...merged.values()];
}
