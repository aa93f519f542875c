/**
 * Hourly usage aggregates for the dashboard (`quota_data`, New API's columns). Consumption is summed in
 * memory per (user, username, model, hour) and flushed in one transaction every DataExportInterval
 * minutes and at shutdown. It is derived data: the logs stay the record of truth.
 */
import { asInt, type Db, lockTransaction, type Row } from "./db.ts";

export interface QuotaDataRow {
  id: number;
  userId: number;
  username: string;
  modelName: string;
  createdAt: number;
  tokenUsed: number;
  count: number;
  quota: number;
}

interface Bucket {
  userId: number;
  username: string;
  modelName: string;
  createdAt: number;
  tokenUsed: number;
  count: number;
  quota: number;
}

/** Arbitrary constant naming the flush among PostgreSQL advisory locks (one instance flushes at a time). */
const FLUSH_LOCK = 720_431_978;

export class QuotaDataAggregator {
  #buckets = new Map<string, Bucket>();

  /** Adds one consume row's numbers to its hour bucket. */
  add(
    e: {
      userId: number;
      username: string;
      modelName: string;
      createdAt: number;
      quota: number;
      tokens: number;
    },
  ) {
    const hour = e.createdAt - (e.createdAt % 3600);
    const key = `${e.userId}\u0000${e.username}\u0000${e.modelName}\u0000${hour}`;
    const b = this.#buckets.get(key);
    if (b) {
      b.count += 1;
      b.quota += e.quota;
      b.tokenUsed += e.tokens;
    } else {
      this.#buckets.set(key, {
        userId: e.userId,
        username: e.username,
        modelName: e.modelName,
        createdAt: hour,
        tokenUsed: e.tokens,
        count: 1,
        quota: e.quota,
      });
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
          const updated = await tx.exec(
            `UPDATE quota_data SET count = count + ?, quota = quota + ?, token_used = token_used + ?
             WHERE user_id = ? AND username = ? AND model_name = ? AND created_at = ?`,
            [b.count, b.quota, b.tokenUsed, b.userId, b.username, b.modelName, b.createdAt],
          );
          if (updated.changes === 0) {
            await tx.exec(
              `INSERT INTO quota_data (user_id, username, model_name, created_at, token_used, count, quota)
               VALUES (?, ?, ?, ?, ?, ?, ?)`,
              [b.userId, b.username, b.modelName, b.createdAt, b.tokenUsed, b.count, b.quota],
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
    createdAt: asInt(r.created_at),
    tokenUsed: asInt(r.token_used),
    count: asInt(r.count),
    quota: asInt(r.quota),
  };
}

/** One user's buckets in [start, end] (the dashboard's own view). */
export async function quotaDataForUser(
  db: Db,
  userId: number,
  start: number,
  end: number,
): Promise<QuotaDataRow[]> {
  const rows = await db.query(
    `SELECT id, user_id, username, model_name, created_at, token_used, count, quota FROM quota_data
     WHERE user_id = ? AND created_at >= ? AND created_at <= ? ORDER BY created_at`,
    [userId, start, end],
  );
  return rows.map(fromRow);
}

/** Admin view: one username's buckets, or all users summed per model and hour. */
export async function quotaDataForAdmin(
  db: Db,
  start: number,
  end: number,
  username?: string,
): Promise<QuotaDataRow[]> {
  if (username) {
    const rows = await db.query(
      `SELECT id, user_id, username, model_name, created_at, token_used, count, quota FROM quota_data
       WHERE username = ? AND created_at >= ? AND created_at <= ? ORDER BY created_at`,
      [username, start, end],
    );
    return rows.map(fromRow);
  }
  const rows = await db.query(
    `SELECT model_name, created_at, SUM(count) AS count, SUM(quota) AS quota, SUM(token_used) AS token_used
     FROM quota_data WHERE created_at >= ? AND created_at <= ? GROUP BY model_name, created_at ORDER BY created_at`,
    [start, end],
  );
  return rows.map(fromRow);
}

/**
 * Adds unflushed rows to rows read from the table: summed into the row of the same model and hour (and
 * user, with `perUser`), or added as their own row; ordered by hour as the queries order them.
 */
export function mergeQuotaData(
  rows: QuotaDataRow[],
  pending: QuotaDataRow[],
  perUser: boolean,
): QuotaDataRow[] {
  if (pending.length === 0) return rows;
  const keyOf = (r: QuotaDataRow) => `${perUser ? r.userId : ""}\u0000${r.modelName}\u0000${r.createdAt}`;
  const merged = new Map(rows.map((r) => [keyOf(r), { ...r }]));
  for (const p of pending) {
    const row = merged.get(keyOf(p));
    if (row) {
      row.count += p.count;
      row.quota += p.quota;
      row.tokenUsed += p.tokenUsed;
    } else {
      merged.set(keyOf(p), perUser ? { ...p } : { ...p, userId: 0, username: "" });
    }
  }
  return [...merged.values()].sort((a, b) => a.createdAt - b.createdAt);
}
