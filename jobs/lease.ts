/**
 * Leases in SQL so that a background job (channel tests, task polling, log cleanup) runs on one
 * instance at a time even when many share the database. A lease is taken or renewed with one
 * conditional upsert; it lapses on its own if its holder dies.
 */
import { type Db, insertIgnoreSql } from "../store/db.ts";

/** Takes (or renews) the lease `name` for `holder` for `ttlMs`; true when this holder now has it. */
export async function acquireLease(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const now = Date.now();
  // Two statements, each atomic on its own: the first taker inserts; a lapsed lease or its own is updated.
  const inserted = await db.exec(
    insertIgnoreSql(db.dialect, "job_leases", ["name", "holder", "expires_at"]),
    [
      name,
      holder,
      now + ttlMs,
    ],
  );
  if (inserted.changes === 1) return true;
  const taken = await db.exec(
    "UPDATE job_leases SET holder = ?, expires_at = ? WHERE name = ? AND (expires_at < ? OR holder = ?)",
    [holder, now + ttlMs, name, now, holder],
  );
  return taken.changes === 1;
}

/** Gives the lease up early (only if `holder` still has it). */
export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.exec("UPDATE job_leases SET expires_at = 0 WHERE name = ? AND holder = ?", [name, holder]);
}
