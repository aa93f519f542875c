/**
 * Invitations, New API's columns on `users`: `aff_code` (the code a user shares), `inviter_id`,
 * `aff_count` (people invited), `aff_quota` (reward not yet moved to the balance) and `aff_history`
 * (every reward ever earned). Each change is one conditional UPDATE, so concurrent calls stay exact.
 */
import { asInt, type Db, queryOne, UniqueViolation } from "./db.ts";
import { randomAlphanumeric } from "../crypto/token_key.ts";

/** The user's code, made (4 random characters, as New API) on first ask; the same code under concurrency. */
export async function ensureAffCode(db: Db, userId: number): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const row = await queryOne<{ aff_code: unknown }>(db, "SELECT aff_code FROM users WHERE id = ?", [
      userId,
    ]);
    const current = String(row?.aff_code ?? "");
    if (current !== "") return current;
    // Longer after a collision: 4 characters give 14 million codes, a large site can meet one.
    const code = randomAlphanumeric(attempt < 4 ? 4 : 8);
    try {
      await db.exec("UPDATE users SET aff_code = ? WHERE id = ? AND (aff_code IS NULL OR aff_code = '')", [
        code,
        userId,
      ]);
    } catch (err) {
      if (!(err instanceof UniqueViolation)) throw err;
    }
  }
  throw new Error(`no free invitation code for user ${userId}`);
}

/** Records one invitation for `inviterId`: one more invitee, `reward` added to the pending reward. */
export async function creditInviter(tx: Db, inviterId: number, reward: number): Promise<void> {
  await tx.exec(
    "UPDATE users SET aff_count = aff_count + 1, aff_quota = aff_quota + ?, aff_history = aff_history + ? WHERE id = ?",
    [reward, reward, inviterId],
  );
}

/**
 * Moves `quota` of the pending reward to the balance: both columns in one UPDATE that holds only while the
 * reward covers it and the balance stays under `maxBalance`. False when it does not hold.
 */
export async function transferAffQuota(
  db: Db,
  userId: number,
  quota: number,
  maxBalance: number,
): Promise<boolean> {
  const r = await db.exec(
    `UPDATE users SET aff_quota = aff_quota - ?, quota = quota + ?
      WHERE id = ? AND aff_quota >= ? AND quota <= ?`,
    [quota, quota, userId, quota, maxBalance - quota],
  );
  return r.changes === 1;
}

export async function affQuotaOf(db: Db, userId: number): Promise<number> {
  return asInt(
    (await queryOne<{ q: unknown }>(db, "SELECT aff_quota AS q FROM users WHERE id = ?", [userId]))?.q,
  );
}
