/**
 * New API's `two_fas` and `two_fa_backup_codes` tables: one TOTP row per user (pending until enabled), its
 * failed-attempt counter and lock, the last step used (`last_used_at` holds the time of that use), and the
 * backup codes as bcrypt hashes, each spent by a conditional update so it works once however many try.
 * Times are datetime columns, as GORM makes New API's `time.Time` fields; here they are whole seconds.
 */
import {
  asBool,
  asInt,
  type Db,
  type Dialect,
  nowSeconds,
  queryOne,
  secondsTimestamp,
  timestampSeconds,
  timestampValue,
} from "./db.ts";

export interface TwoFa {
  id: number;
  userId: number;
  /** Sealed (`enc:v1:`) or, in a row New API wrote, the bare base32 secret. */
  secret: string;
  enabled: boolean;
  failedAttempts: number;
  /** Seconds; 0 when not locked. */
  lockedUntil: number;
  /** Seconds; 0 when never used. */
  lastUsedAt: number;
}

export async function getTwoFa(db: Db, userId: number): Promise<TwoFa | undefined> {
  const r = await queryOne(
    db,
    `SELECT id, user_id, secret, is_enabled, failed_attempts, locked_until, last_used_at FROM two_fas
     WHERE user_id = ? AND deleted_at IS NULL`,
    [userId],
  );
  if (!r) return undefined;
  return {
    id: asInt(r.id),
    userId: asInt(r.user_id),
    secret: String(r.secret ?? ""),
    enabled: asBool(r.is_enabled),
    failedAttempts: asInt(r.failed_attempts),
    lockedUntil: timestampSeconds(r.locked_until),
    lastUsedAt: timestampSeconds(r.last_used_at),
  };
}

/** Replaces any row and codes of the user with a pending (not yet enabled) setup. */
export async function startTwoFaSetup(
  db: Db,
  userId: number,
  secret: string,
  codeHashes: string[],
): Promise<void> {
  const now = timestampValue(db.dialect);
  await db.transaction(async (tx) => {
    await tx.exec("DELETE FROM two_fa_backup_codes WHERE user_id = ?", [userId]);
    await tx.exec("DELETE FROM two_fas WHERE user_id = ?", [userId]);
    await tx.exec(
      `INSERT INTO two_fas (user_id, secret, is_enabled, failed_attempts, created_at, updated_at)
       VALUES (?, ?, ?, 0, ?, ?)`,
      [userId, secret, false, now, now],
    );
    for (const hash of codeHashes) await insertBackupCode(tx, userId, hash, now);
  });
}

function insertBackupCode(db: Db, userId: number, hash: string, now: string) {
  return db.exec(
    "INSERT INTO two_fa_backup_codes (user_id, code_hash, is_used, created_at) VALUES (?, ?, ?, ?)",
    [userId, hash, false, now],
  );
}

/** `expr` comparable as a moment: SQLite keeps timestamps as text in more than one format (ours, GORM's). */
function moment(dialect: Dialect, expr: string): string {
  return dialect === "sqlite" ? `julianday(${expr})` : expr;
}

export async function enableTwoFa(db: Db, userId: number, usedAt: number): Promise<boolean> {
  const result = await db.exec(
    `UPDATE two_fas SET is_enabled = ?, failed_attempts = 0, locked_until = NULL, last_used_at = ?, updated_at = ?
     WHERE user_id = ? AND is_enabled = ? AND deleted_at IS NULL`,
    [true, secondsTimestamp(db.dialect, usedAt), timestampValue(db.dialect), userId, false],
  );
  return result.changes === 1;
}

/** Deletes the user's 2FA row and backup codes (New API deletes them for good, too). */
export async function deleteTwoFa(db: Db, userId: number): Promise<boolean> {
  return await db.transaction(async (tx) => {
    await tx.exec("DELETE FROM two_fa_backup_codes WHERE user_id = ?", [userId]);
    return (await tx.exec("DELETE FROM two_fas WHERE user_id = ?", [userId])).changes > 0;
  });
}

/** Counts a wrong code; at `maxAttempts` the row is locked for `lockSeconds`. */
export async function recordTwoFaFailure(
  db: Db,
  userId: number,
  maxAttempts: number,
  lockSeconds: number,
): Promise<void> {
  const now = nowSeconds();
  await db.exec(
    // locked_until first: MySQL applies SET assignments left to right, each seeing the ones before.
    `UPDATE two_fas SET locked_until = CASE WHEN failed_attempts + 1 >= ? THEN ? ELSE locked_until END,
       failed_attempts = failed_attempts + 1, updated_at = ?
     WHERE user_id = ?`,
    [maxAttempts, secondsTimestamp(db.dialect, now + lockSeconds), secondsTimestamp(db.dialect, now), userId],
  );
}

/**
 * Records a good code, used at `usedAt`, if no use as late is recorded yet: of two requests with the same
 * code, one wins. Returns whether this use was the one recorded.
 */
export async function recordTwoFaSuccess(db: Db, userId: number, usedAt: number): Promise<boolean> {
  const at = secondsTimestamp(db.dialect, usedAt);
  const result = await db.exec(
    `UPDATE two_fas SET failed_attempts = 0, locked_until = NULL, last_used_at = ?, updated_at = ?
     WHERE user_id = ? AND (last_used_at IS NULL OR ${moment(db.dialect, "last_used_at")} < ${
      moment(db.dialect, "?")
    })`,
    [at, timestampValue(db.dialect), userId, at],
  );
  return result.changes === 1;
}

/** Clears the failure count after a backup code was spent (the spend itself is the single-use check). */
export async function clearTwoFaFailures(db: Db, userId: number): Promise<void> {
  await db.exec(
    "UPDATE two_fas SET failed_attempts = 0, locked_until = NULL, updated_at = ? WHERE user_id = ?",
    [
      timestampValue(db.dialect),
      userId,
    ],
  );
}

export async function unusedBackupCodes(db: Db, userId: number): Promise<{ id: number; hash: string }[]> {
  const rows = await db.query(
    "SELECT id, code_hash FROM two_fa_backup_codes WHERE user_id = ? AND is_used = ? AND deleted_at IS NULL",
    [userId, false],
  );
  return rows.map((r) => ({ id: asInt(r.id), hash: String(r.code_hash) }));
}

/** Spends a backup code; false when another request spent it first. */
export async function spendBackupCode(db: Db, id: number): Promise<boolean> {
  const result = await db.exec(
    "UPDATE two_fa_backup_codes SET is_used = ?, used_at = ? WHERE id = ? AND is_used = ?",
    [true, timestampValue(db.dialect), id, false],
  );
  return result.changes === 1;
}

export async function replaceBackupCodes(db: Db, userId: number, codeHashes: string[]): Promise<void> {
  const now = timestampValue(db.dialect);
  await db.transaction(async (tx) => {
    await tx.exec("DELETE FROM two_fa_backup_codes WHERE user_id = ?", [userId]);
    for (const hash of codeHashes) await insertBackupCode(tx, userId, hash, now);
  });
}

export async function twoFaStats(db: Db): Promise<{ total: number; enabled: number }> {
  const total = asInt((await queryOne(db, "SELECT COUNT(*) AS n FROM users WHERE deleted_at IS NULL"))?.n);
  const enabled = asInt(
    (await queryOne(db, "SELECT COUNT(*) AS n FROM two_fas WHERE is_enabled = ? AND deleted_at IS NULL", [
      true,
    ]))?.n,
  );
  return { total, enabled };
}
