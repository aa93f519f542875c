/**
 * Leases in SQL so that a background job (channel tests, task polling, log cleanup) runs on one
 * instance at a time even when many share the database. A lease is taken or renewed with one
 * conditional upsert; it lapses on its own if its holder dies.
 */
import type { Db } from "../store/db.ts";

/** Takes (or renews) the lease `name` for `holder` for `ttlMs`; true when this holder now has it. */
export async function acquireLease(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const now = Date.now();
  const result = await db.exec(
    `INSERT INTO job_leases (name, holder, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
     WHERE job_leases.expires_at < ? OR job_leases.holder = excluded.holder`,
    [name, holder, now + ttlMs, now],
  );
  return result.changes === 1;
}

/** Gives the lease up early (only if `holder` still has it). */
export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.exec("UPDATE job_leases SET expires_at = 0 WHERE name = ? AND holder = ?", [name, holder]);
}
