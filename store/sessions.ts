/**
 * The `console_sessions` table: console sessions looked up by the keyed hash of the cookie value (the value
 * itself is never stored). Revocation is a timestamp, so a revoked session can never come back.
 */
import { asInt, type Db, insertReturningId, nowSeconds, queryOne, type Row } from "./db.ts";

export interface Session {
  id: number;
  userId: number;
  authVersion: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

function fromRow(r: Row): Session {
  return {
    id: asInt(r.id),
    userId: asInt(r.user_id),
    authVersion: asInt(r.auth_version),
    createdAt: asInt(r.created_at),
    lastSeenAt: asInt(r.last_seen_at),
    expiresAt: asInt(r.expires_at),
  };
}

export async function insertSession(
  db: Db,
  s: { userId: number; hash: string; authVersion: number; expiresAt: number; userAgent: string },
): Promise<number> {
  const now = nowSeconds();
  return await insertReturningId(
    db,
    `INSERT INTO console_sessions (user_id, session_hash, auth_version, created_at, last_seen_at, expires_at, user_agent)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [s.userId, s.hash, s.authVersion, now, now, s.expiresAt, s.userAgent.slice(0, 255)],
  );
}

/** A live (not revoked) session by hash; expiry is the caller's decision. */
export async function findSession(db: Db, hash: string): Promise<Session | undefined> {
  const row = await queryOne(
    db,
    `SELECT id, user_id, auth_version, created_at, last_seen_at, expires_at FROM console_sessions
     WHERE session_hash = ? AND revoked_at IS NULL`,
    [hash],
  );
  return row ? fromRow(row) : undefined;
}

export async function touchSession(db: Db, id: number, at: number): Promise<void> {
  await db.exec("UPDATE console_sessions SET last_seen_at = ? WHERE id = ?", [at, id]);
}

export async function revokeSession(db: Db, id: number): Promise<void> {
  await db.exec("UPDATE console_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [
    nowSeconds(),
    id,
  ]);
}

/** Revokes every live session of a user, except `keepId` when given. Returns how many ended. */
export async function revokeUserSessions(db: Db, userId: number, keepId?: number): Promise<number> {
  const result = await db.exec(
    `UPDATE console_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id <> ?`,
    [nowSeconds(), userId, keepId ?? -1],
  );
  return result.changes;
}

/** Drops rows that can no longer authenticate anything (expired a day ago or revoked a day ago). */
export async function purgeOldSessions(db: Db): Promise<void> {
  const cutoff = nowSeconds() - 86400;
  await db.exec("DELETE FROM console_sessions WHERE expires_at < ? OR revoked_at < ?", [cutoff, cutoff]);
}
