/**
 * New API's daily check-in (`checkins`, one row per user and calendar day under the unique index
 * idx_user_checkin_date). A check-in inserts that row, credits the reward and adds its log row in one
 * transaction; the insert does nothing when the day's row exists, so any number of concurrent check-ins
 * credit once, on every store.
 */
import { asInt, type Db, insertIgnoreSql, nowSeconds, queryOne } from "./db.ts";
import { type AddLog, type LogTarget, transactionWithLogs } from "./transaction_logs.ts";

export interface Checkin {
  userId: number;
  /** YYYY-MM-DD, the server's local calendar day (New API: time.Now().Format("2006-01-02")). */
  checkinDate: string;
  quotaAwarded: number;
  createdAt: number;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The server's local calendar day, as New API keys check-ins (the process time zone, TZ). */
export function localDay(now = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The server's local month, YYYY-MM (New API's default `month`). */
export function localMonth(now = new Date()): string {
  return localDay(now).slice(0, 7);
}

export type CheckinResult = { ok: true; checkin: Checkin } | { ok: false; reason: "already" | "cap" };

export interface CheckinRequest {
  userId: number;
  day: string;
  quota: number;
  /** The largest balance a user may reach. */
  maxBalance: number;
  /** Adds the check-in's log row, in the same transaction. */
  onCheckedIn: (checkin: Checkin, addLog: AddLog) => Promise<void>;
}

class CheckinCapError extends Error {
  constructor(userId: number) {
    super(`check-in of user ${userId} would pass the balance ceiling`);
  }
}

/** Checks `userId` in for `day`: the row, the credit (within the ceiling) and the log row, or nothing. */
export async function checkIn(db: Db, logs: LogTarget, r: CheckinRequest): Promise<CheckinResult> {
  const checkin: Checkin = {
    userId: r.userId,
    checkinDate: r.day,
    quotaAwarded: r.quota,
    createdAt: nowSeconds(),
  };
  return await transactionWithLogs(db, logs, async (tx, addLog): Promise<CheckinResult> => {
    const inserted = await tx.exec(
      insertIgnoreSql(tx.dialect, "checkins", ["user_id", "checkin_date", "quota_awarded", "created_at"]),
      [r.userId, r.day, r.quota, checkin.createdAt],
    );
    if (inserted.changes !== 1) return { ok: false, reason: "already" };
    const credited = await tx.exec(
      "UPDATE users SET quota = quota + ? WHERE id = ? AND quota <= ?",
      [r.quota, r.userId, r.maxBalance - r.quota],
    );
    // Throwing rolls the day's row back too: the user may check in again once below the ceiling.
    if (credited.changes !== 1) throw new CheckinCapError(r.userId);
    await r.onCheckedIn(checkin, addLog);
    return { ok: true, checkin };
  }).catch((err) => {
    if (err instanceof CheckinCapError) return { ok: false, reason: "cap" } as const;
    throw err;
  });
}

export interface CheckinStats {
  total_quota: number;
  total_checkins: number;
  checkin_count: number;
  checked_in_today: boolean;
  records: { checkin_date: string; quota_awarded: number }[];
}

/** New API's GetUserCheckinStats: `month`'s records (newest first), today's flag and all-time totals. */
export async function checkinStats(
  db: Db,
  userId: number,
  month: string,
  today: string,
): Promise<CheckinStats> {
  const rows = await db.query(
    `SELECT checkin_date, quota_awarded FROM checkins
     WHERE user_id = ? AND checkin_date >= ? AND checkin_date <= ? ORDER BY checkin_date DESC`,
    [userId, `${month}-01`, `${month}-31`],
  );
  const totals = await queryOne(
    db,
    "SELECT COUNT(*) AS n, COALESCE(SUM(quota_awarded), 0) AS q FROM checkins WHERE user_id = ?",
    [userId],
  );
  const todayRow = await queryOne(
    db,
    "SELECT id FROM checkins WHERE user_id = ? AND checkin_date = ?",
    [userId, today],
  );
  return {
    total_quota: asInt(totals?.q),
    total_checkins: asInt(totals?.n),
    checkin_count: rows.length,
    checked_in_today: todayRow !== undefined,
    records: rows.map((r) => ({
      checkin_date: String(r.checkin_date),
      quota_awarded: asInt(r.quota_awarded),
    })),
  };
}
