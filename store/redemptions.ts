/**
 * Redemption codes, stored only as keyed hashes (`../crypto/redemption_code.ts`): a code is found by the
 * hash of what the user presents. A code is claimed with a compare-and-swap on its status inside the
 * transaction that credits the user, so concurrent redemptions of one code credit exactly once on both
 * stores.
 */
import {
  asInt,
  type Db,
  nowSeconds,
  queryOne,
  type Row,
  setClause,
  type SqlValue,
  timestampValue,
} from "./db.ts";
import { generateRedemptionCode, hashRedemptionCode } from "../crypto/redemption_code.ts";
import { likeLiteral } from "./users.ts";
import { type AddLog, type LogTarget, transactionWithLogs } from "./transaction_logs.ts";

export const RedemptionStatus = { enabled: 1, disabled: 2, used: 3 } as const;

export interface Redemption {
  id: number;
  /** The admin who set the code's value: its creator, or whoever last changed its quota. */
  userId: number;
  /** The stored keyed hash, never the code. */
  key: string;
  status: number;
  name: string;
  quota: number;
  createdTime: number;
  redeemedTime: number;
  usedUserId: number;
  /** Unix seconds, 0 = never. */
  expiredTime: number;
}

const COLUMNS =
  `id, user_id, "key", status, name, quota, created_time, redeemed_time, used_user_id, expired_time`;

function fromRow(r: Row): Redemption {
  return {
    id: asInt(r.id),
    userId: asInt(r.user_id),
    key: String(r.key ?? "").trim(),
    status: asInt(r.status),
    name: String(r.name ?? ""),
    quota: asInt(r.quota),
    createdTime: asInt(r.created_time),
    redeemedTime: asInt(r.redeemed_time),
    usedUserId: asInt(r.used_user_id),
    expiredTime: asInt(r.expired_time),
  };
}

/**
 * Creates `count` codes of 32 random characters (New API's format) in one transaction and returns them:
 * the only time the plaintext exists.
 */
export async function createRedemptions(
  db: Db,
  cryptoSecret: string,
  input: { userId: number; name: string; quota: number; count: number; expiredTime: number },
): Promise<string[]> {
  return await db.transaction(async (tx) => {
    const keys: string[] = [];
    for (let i = 0; i < input.count; i++) {
      const key = generateRedemptionCode();
      await tx.exec(
        `INSERT INTO redemptions (user_id, "key", status, name, quota, created_time, expired_time)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [
          input.userId,
          hashRedemptionCode(cryptoSecret, key),
          RedemptionStatus.enabled,
          input.name,
          input.quota,
          nowSeconds(),
          input.expiredTime,
        ],
      );
      keys.push(key);
    }
    return keys;
  });
}

export async function getRedemption(db: Db, id: number): Promise<Redemption | undefined> {
  const row = await queryOne(db, `SELECT ${COLUMNS} FROM redemptions WHERE id = ? AND deleted_at IS NULL`, [
    id,
  ]);
  return row ? fromRow(row) : undefined;
}

/** A keyword matches an id, a name fragment, or a whole code (by its hash). */
export async function listRedemptions(
  db: Db,
  cryptoSecret: string,
  q: { offset: number; limit: number; keyword?: string },
): Promise<{ items: Redemption[]; total: number }> {
  const where = ["deleted_at IS NULL"];
  const params: SqlValue[] = [];
  if (q.keyword) {
    const id = /^\d+$/.test(q.keyword) ? Number(q.keyword) : -1;
    where.push(`(id = ? OR name LIKE ? ESCAPE '!' OR "key" = ?)`);
    params.push(id, likeLiteral(q.keyword), hashRedemptionCode(cryptoSecret, q.keyword));
  }
  const clause = where.join(" AND ");
  const total = asInt(
    (await queryOne(db, `SELECT COUNT(*) AS n FROM redemptions WHERE ${clause}`, params))?.n,
  );
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM redemptions WHERE ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`,
    [...params, q.limit, q.offset],
  );
  return { items: rows.map(fromRow), total };
}

export async function updateRedemption(
  db: Db,
  id: number,
  patch: Partial<{ name: string; status: number; quota: number; expiredTime: number; userId: number }>,
): Promise<boolean> {
  const columns: Record<string, string> = {
    userId: "user_id",
    name: "name",
    status: "status",
    quota: "quota",
    expiredTime: "expired_time",
  };
  const { sets, params } = setClause(patch, columns);
  if (sets.length === 0) return false;
  return (await db.exec(`UPDATE redemptions SET ${sets.join(", ")} WHERE id = ? AND deleted_at IS NULL`, [
    ...params,
    id,
  ])).changes === 1;
}

export async function deleteRedemption(db: Db, id: number): Promise<boolean> {
  return (await db.exec("UPDATE redemptions SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", [
    timestampValue(db.dialect),
    id,
  ])).changes === 1;
}

/** Deletes codes that can no longer be redeemed (used, disabled or expired); returns how many. */
export async function deleteInvalidRedemptions(db: Db): Promise<number> {
  const now = nowSeconds();
  return (await db.exec(
    `UPDATE redemptions SET deleted_at = ? WHERE deleted_at IS NULL
       AND (status <> ? OR (expired_time IS NOT NULL AND expired_time <> 0 AND expired_time < ?))`,
    [timestampValue(db.dialect), RedemptionStatus.enabled, now],
  )).changes;
}

export type RedeemResult = { ok: true; quota: number; redemptionId: number } | {
  ok: false;
  reason: "invalid" | "used" | "expired" | "own_code";
};

/**
 * Redeems a code for `userId`: flips it enabled → used (compare-and-swap) and credits the quota in the
 * same transaction. Exactly one of any number of concurrent attempts succeeds. The admin who set the
 * code's value (`user_id`) cannot redeem it: that would be crediting oneself (`own_code`). Only root,
 * whose money it is, may (`ownCodeAllowed`).
 */
export async function redeemCode(
  db: Db,
  cryptoSecret: string,
  key: string,
  userId: number,
  ownCodeAllowed: boolean,
  /** Runs inside the same transaction after the claim, e.g. to add the top-up log row. */
  onClaimed?: (tx: Db, claimed: { quota: number; redemptionId: number }, addLog: AddLog) => Promise<void>,
  /** Where the rows go: the log database or its LogQueue (`transaction_logs.ts`). */
  logs: LogTarget = db,
): Promise<RedeemResult> {
  return await transactionWithLogs(db, logs, async (tx, addLog) => {
    const row = await queryOne(
      tx,
      `SELECT ${COLUMNS} FROM redemptions WHERE "key" = ? AND deleted_at IS NULL`,
      [hashRedemptionCode(cryptoSecret, key)],
    );
    if (!row) return { ok: false, reason: "invalid" } as const;
    const code = fromRow(row);
    if (code.userId === userId && !ownCodeAllowed) return { ok: false, reason: "own_code" } as const;
    if (code.status !== RedemptionStatus.enabled) return { ok: false, reason: "used" } as const;
    const now = nowSeconds();
    if (code.expiredTime !== 0 && code.expiredTime < now) return { ok: false, reason: "expired" } as const;
    const claimed = await tx.exec(
      "UPDATE redemptions SET status = ?, used_user_id = ?, redeemed_time = ? WHERE id = ? AND status = ?",
      [RedemptionStatus.used, userId, now, code.id, RedemptionStatus.enabled],
    );
    if (claimed.changes !== 1) return { ok: false, reason: "used" } as const;
    await tx.exec("UPDATE users SET quota = quota + ? WHERE id = ?", [code.quota, userId]);
    await onClaimed?.(tx, { quota: code.quota, redemptionId: code.id }, addLog);
    return { ok: true, quota: code.quota, redemptionId: code.id } as const;
  });
}
