/**
 * The SQL of quota leases (table `quota_leases`, schema/billing.ts): an instance moves a slice of a user's
 * wallet or a limited token's remain_quota into its own lease row in one statement, charges committed
 * settlements against that row, and gives what is left back. The balance a reader sees is the column plus
 * every lease of it (`LEASED_USER_QUOTA`, `LEASED_TOKEN_QUOTA`), so moving quota into a lease changes
 * nothing anyone sees. The in-memory side is store/lease_balances.ts.
 */
import { asInt, type Db, queryOne } from "./db.ts";

export const LeaseKind = { user: 1, token: 2 } as const;
export type LeaseKind = typeof LeaseKind[keyof typeof LeaseKind];

const balanceOf = {
  [LeaseKind.user]: { table: "users", column: "quota" },
  [LeaseKind.token]: { table: "tokens", column: "remain_quota" },
} as const;

/** users.quota as readers see it: the column plus the leases taken from it. */
export const LEASED_USER_QUOTA =
  `quota + COALESCE((SELECT SUM(l.amount) FROM quota_leases l WHERE l.kind = 1 AND l.subject_id = users.id), 0)`;
/** tokens.remain_quota as readers see it. */
export const LEASED_TOKEN_QUOTA =
  `remain_quota + COALESCE((SELECT SUM(l.amount) FROM quota_leases l WHERE l.kind = 2 AND l.subject_id = tokens.id), 0)`;

/** `SET column = ?` for an absolute balance as readers see it: the leases out are taken off the value. */
export function absoluteBalanceSql(kind: LeaseKind): string {
  const { table, column } = balanceOf[kind];
  return `${column} = ? - COALESCE((SELECT SUM(l.amount) FROM quota_leases l WHERE l.kind = ${kind} AND
    l.subject_id = ${table}.id), 0)`;
}

export interface TakeLease {
  owner: string;
  kind: LeaseKind;
  subjectId: number;
  /** For a token: its owner (a token is only leased for the user it belongs to). */
  userId?: number;
  /** Moved into the lease. */
  take: number;
  /** Moved only when the balance has at least this much (≥ take) and is above 0. */
  atLeast: number;
  expiresAt: number;
}

function balanceCondition(kind: LeaseKind, alias: string): string {
  const { column } = balanceOf[kind];
  const p = alias ? `${alias}.` : "";
  return kind === LeaseKind.user
    ? `${p}id = ? AND ${p}${column} >= ? AND ${p}${column} > 0 AND ${p}deleted_at IS NULL`
    : `${p}id = ? AND ${p}user_id = ? AND ${p}${column} >= ? AND ${p}${column} > 0`;
}

function conditionParams(a: TakeLease): number[] {
  return a.kind === LeaseKind.user ? [a.subjectId, a.atLeast] : [a.subjectId, a.userId ?? 0, a.atLeast];
}

/** Lease rows this process knows exist (MySQL's multi-table UPDATE needs the row in place). */
const knownRows = new Set<string>();

/**
 * Moves `take` from the balance into the owner's lease row, in one statement; false (nothing moved) when
 * the balance is below `atLeast` or at or below 0.
 */
export async function takeLease(db: Db, a: TakeLease): Promise<boolean> {
  if (!Number.isSafeInteger(a.take) || a.take <= 0 || a.atLeast < a.take) {
    throw new RangeError(`lease take must be a positive integer ≤ atLeast, got ${a.take}/${a.atLeast}`);
  }
  const { table, column } = balanceOf[a.kind];
  if (db.dialect !== "mysql") {
    const r = await db.exec(
      `WITH moved AS (UPDATE ${table} SET ${column} = ${column} - ? WHERE ${balanceCondition(a.kind, "")}
        RETURNING id)
       INSERT INTO quota_leases (owner, kind, subject_id, amount, expires_at) SELECT ?, ?, id, ?, ? FROM moved
       ON CONFLICT (owner, kind, subject_id) DO UPDATE SET amount = quota_leases.amount + excluded.amount,
        expires_at = excluded.expires_at`,
      [a.take, ...conditionParams(a), a.owner, a.kind, a.take, a.expiresAt],
    );
    return r.changes === 1;
  }
  const key = `${a.owner}/${a.kind}/${a.subjectId}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (!knownRows.has(key)) {
      await db.exec(
        "INSERT IGNORE INTO quota_leases (owner, kind, subject_id, amount, expires_at) VALUES (?, ?, ?, 0, ?)",
        [a.owner, a.kind, a.subjectId, a.expiresAt],
      );
      knownRows.add(key);
    }
    // Both sides get constants only: MySQL does not promise the order of a multi-table UPDATE's assignments.
    // STRAIGHT_JOIN locks the balance row before the lease row, the order every lease write takes.
    const r = await db.exec(
      `UPDATE ${table} b STRAIGHT_JOIN quota_leases l ON l.owner = ? AND l.kind = ? AND l.subject_id = b.id
       SET b.${column} = b.${column} - ?, l.amount = l.amount + ?, l.expires_at = ?
       WHERE ${balanceCondition(a.kind, "b")}`,
      [a.owner, a.kind, a.take, a.take, a.expiresAt, ...conditionParams(a)],
    );
    if (r.changes > 0) return true;
    // Refused by the balance, or the row was reclaimed under us: look once.
    const row = await queryOne(
      db,
      "SELECT id FROM quota_leases WHERE owner = ? AND kind = ? AND subject_id = ?",
      [a.owner, a.kind, a.subjectId],
    );
    if (row) return false;
    knownRows.delete(key);
  }
  return false;
}

/**
 * Adds `delta` (committed charges: negative; a return: negative too) to the owner's lease row. When the row
 * is gone (reclaimed as expired while this instance was alive but silent), the delta goes to the balance
 * itself, so no charge is lost. Run inside the batch's transaction, after the balance's row was written
 * (lock order: the balance row, then the lease row, as `takeLease` takes them).
 */
export async function moveLease(
  tx: Db,
  owner: string,
  kind: LeaseKind,
  subjectId: number,
  delta: number,
): Promise<"lease" | "balance"> {
  const r = await tx.exec(
    "UPDATE quota_leases SET amount = amount + ? WHERE owner = ? AND kind = ? AND subject_id = ?",
    [delta, owner, kind, subjectId],
  );
  if (r.changes === 1) return "lease";
  const { table, column } = balanceOf[kind];
  await tx.exec(`UPDATE ${table} SET ${column} = ${column} + ? WHERE id = ?`, [delta, subjectId]);
  return "balance";
}

/** Gives `amount` of the owner's lease back to the balance (one transaction). */
export async function returnLease(
  db: Db,
  owner: string,
  kind: LeaseKind,
  subjectId: number,
  amount: number,
): Promise<void> {
  if (amount === 0) return;
  const { table, column } = balanceOf[kind];
  await db.transaction(async (tx) => {
    // The balance row first (the lock order of every lease write); a reclaimed row, already given back
    // whole, credits nothing.
    const credited = await tx.exec(
      `UPDATE ${table} SET ${column} = ${column} + ? WHERE id = ? AND EXISTS (SELECT 1 FROM quota_leases
        WHERE owner = ? AND kind = ? AND subject_id = ?)`,
      [amount, subjectId, owner, kind, subjectId],
    );
    if (credited.changes !== 1) return;
    await tx.exec(
      "UPDATE quota_leases SET amount = amount - ? WHERE owner = ? AND kind = ? AND subject_id = ?",
      [amount, owner, kind, subjectId],
    );
  });
}

/** Extends every lease of `owner` (the instance's heartbeat); returns how many rows it has. */
export async function renewLeases(db: Db, owner: string, expiresAt: number): Promise<number> {
  return (await db.exec("UPDATE quota_leases SET expires_at = ? WHERE owner = ?", [expiresAt, owner]))
    .changes;
}

/** Deletes the owner's emptied rows (after returning everything, at shutdown). */
export async function dropEmptyLeases(db: Db, owner: string): Promise<void> {
  await db.exec("DELETE FROM quota_leases WHERE owner = ? AND amount = 0", [owner]);
  for (const key of knownRows) if (key.startsWith(`${owner}/`)) knownRows.delete(key);
}

/**
 * Gives back the leases whose instance stopped renewing them (expired before `now`): each row is deleted
 * and its amount credited to its balance in one transaction, a compare-and-delete, so two instances
 * reclaiming at once give it back once. Returns the number of rows reclaimed.
 */
export async function reclaimExpiredLeases(db: Db, now: number, limit = 200): Promise<number> {
  const rows = await db.query(
    "SELECT id, kind, subject_id FROM quota_leases WHERE expires_at < ? ORDER BY id LIMIT ?",
    [now, limit],
  );
  let reclaimed = 0;
  for (const row of rows) {
    const id = asInt(row.id);
    const subjectId = asInt(row.subject_id);
    const { table, column } = balanceOf[asInt(row.kind) as LeaseKind] ?? balanceOf[LeaseKind.user];
    const done = await db.transaction(async (tx) => {
      // The balance row first, then the lease row (the lock order of every lease write).
      await tx.query(`SELECT id FROM ${table} WHERE id = ? FOR UPDATE`, [subjectId]);
      const lease = await queryOne(
        tx,
        "SELECT amount FROM quota_leases WHERE id = ? AND expires_at < ? FOR UPDATE",
        [id, now],
      );
      if (!lease) return false;
      await tx.exec("DELETE FROM quota_leases WHERE id = ?", [id]);
      const amount = asInt(lease.amount);
      if (amount !== 0) {
        await tx.exec(`UPDATE ${table} SET ${column} = ${column} + ? WHERE id = ?`, [amount, subjectId]);
      }
      return true;
    });
    if (done) reclaimed++;
  }
  return reclaimed;
}

/**
 * Folds every lease back into its balance and empties the table, in `tx` (the rollback to New API, which
 * reads only the columns; every instance is stopped then).
 */
export async function foldAllLeases(tx: Db): Promise<void> {
  for (const kind of [LeaseKind.user, LeaseKind.token]) {
    const { table, column } = balanceOf[kind];
    await tx.exec(
      `UPDATE ${table} SET ${column} = ${column} + COALESCE((SELECT SUM(l.amount) FROM quota_leases l
        WHERE l.kind = ${kind} AND l.subject_id = ${table}.id), 0)
       WHERE id IN (SELECT subject_id FROM quota_leases WHERE kind = ${kind})`,
    );
  }
  await tx.exec("DELETE FROM quota_leases");
}
