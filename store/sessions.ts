/**
 * The `console_sessions` table: console sessions looked up by the keyed hash of the cookie value (the value
 * itself is never stored). Revocation is a timestamp, so a revoked session can never come back.
 */
import { asInt, type Db, insertReturningId, nowSeconds, queryOne, type Row } from "./db.ts";

export interface Session {
  id: number;
  /** The public id (New API's `sid`); sessions made before it existed are named `id-<id>`. */
  sid: string;
  userId: number;
  authVersion: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  ip: string;
  userAgent: string;
  loginMethod: string;
}

const COLUMNS =
  "id, sid, user_id, auth_version, created_at, last_seen_at, expires_at, ip, user_agent, login_method";
const LEGACY_SID = /^id-([0-9]{1,15})$/;

function fromRow(r: Row): Session {
  const id = asInt(r.id);
  return {
    id,
    sid: r.sid ? String(r.sid) : `id-${id}`,
    userId: asInt(r.user_id),
    authVersion: asInt(r.auth_version),
    createdAt: asInt(r.created_at),
    lastSeenAt: asInt(r.last_seen_at),
    expiresAt: asInt(r.expires_at),
    ip: String(r.ip ?? ""),
    userAgent: String(r.user_agent ?? ""),
    loginMethod: String(r.login_method ?? ""),
  };
}

export interface NewSession {
  userId: number;
  hash: string;
  authVersion: number;
  expiresAt: number;
  userAgent: string;
  sid?: string;
  ip?: string;
  loginMethod?: string;
}

export async function insertSession(db: Db, s: NewSession): Promise<number> {
  const now = nowSeconds();
  return await insertReturningId(
    db,
    `INSERT INTO console_sessions (user_id, session_hash, auth_version, created_at, last_seen_at, expires_at,
       user_agent, sid, ip, login_method) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      s.userId,
      s.hash,
      s.authVersion,
      now,
      now,
      s.expiresAt,
      s.userAgent.slice(0, 255),
      s.sid ?? crypto.randomUUID(),
      (s.ip ?? "").slice(0, 64),
      (s.loginMethod ?? "").slice(0, 32),
    ],
  );
}

/** A live (not revoked) session by hash; expiry is the caller's decision. */
export async function findSession(db: Db, hash: string): Promise<Session | undefined> {
  const row = await queryOne(
    db,
    `SELECT ${COLUMNS} FROM console_sessions WHERE session_hash = ? AND revoked_at IS NULL`,
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

/**
 * The user's sessions that can still authenticate (not revoked, not expired, not idle past
 * `idleSeconds`), most recently active first.
 */
export async function listLiveSessions(
  db: Db,
  userId: number,
  now: number,
  idleSeconds: number,
): Promise<Session[]> {
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM console_sessions
     WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? AND last_seen_at >= ?
     ORDER BY last_seen_at DESC, id DESC LIMIT 100`,
    [userId, now, now - idleSeconds],
  );
  return rows.map(fromRow);
}

/** Revokes the user's live session named `sid`; false when the user has no such session. */
export async function revokeSessionBySid(db: Db, userId: number, sid: string): Promise<boolean> {
  const legacy = LEGACY_SID.exec(sid);
  const result = await db.exec(
    `UPDATE console_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND ${
      legacy ? "id = ? AND (sid IS NULL OR sid = '')" : "sid = ?"
    }`,
    [nowSeconds(), userId, legacy ? Number(legacy[1]) : sid],
  );
  return result.changes > 0;
}

/** Drops rows that can no longer authenticate anything (expired a day ago or revoked a day ago). */
export async function purgeOldSessions(db: Db): Promise<void> {
  const cutoff = nowSeconds() - 86400;
  await db.exec("DELETE FROM console_sessions WHERE expires_at < ? OR revoked_at < ?", [cutoff, cutoff]);
}
