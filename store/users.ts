/**
 * The `users` table: New API's columns, soft delete through `deleted_at`, and money moved only through
 * conditional updates. Secrets (password hash, access token hash) never leave this module in list reads.
 */
import { absoluteBalanceSql, LEASED_USER_QUOTA, LeaseKind } from "./quota_leases.ts";
import {
  asInt,
  type Db,
  insertReturningId,
  nowSeconds,
  queryOne,
  type Row,
  type SqlValue,
  timestampValue,
} from "./db.ts";

export const Role = { guest: 0, common: 1, admin: 10, root: 100 } as const;
export const UserStatus = { enabled: 1, disabled: 2 } as const;

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: number;
  status: number;
  email: string;
  quota: number;
  usedQuota: number;
  requestCount: number;
  group: string;
  affCode: string;
  affCount: number;
  affQuota: number;
  affHistoryQuota: number;
  inviterId: number;
  setting: string;
  remark: string;
  createdAt: number;
  lastLoginAt: number;
  authVersion: number;
  deleted: boolean;
  /** When it was soft-deleted, as New API's `DeletedAt` writes it (RFC 3339), or null while live. */
  deletedAt: string | null;
  /** External-account bindings New API keeps on the row (kept for rows adopted from New API). */
  githubId: string;
  discordId: string;
  oidcId: string;
  wechatId: string;
  telegramId: string;
  linuxDoId: string;
  stripeCustomer: string;
}

/** Columns safe to read in lists (no password, no access token). */
const PUBLIC_COLUMNS =
  `id, username, display_name, role, status, email, ${LEASED_USER_QUOTA} AS quota, used_quota,
  request_count,
  "group", aff_code, aff_count, aff_quota, aff_history, inviter_id, setting, remark, created_at,
  last_login_at, auth_version, deleted_at, github_id, discord_id, oidc_id, wechat_id, telegram_id, linux_do_id,
  stripe_customer`;

const str = (v: unknown) => (v == null ? "" : String(v));

export function userFromRow(r: Row): User {
  return {
    id: asInt(r.id),
    username: str(r.username),
    displayName: str(r.display_name),
    role: asInt(r.role),
    status: asInt(r.status),
    email: str(r.email),
    quota: asInt(r.quota),
    usedQuota: asInt(r.used_quota),
    requestCount: asInt(r.request_count),
    group: str(r.group) || "default",
    affCode: str(r.aff_code),
    affCount: asInt(r.aff_count),
    affQuota: asInt(r.aff_quota),
    affHistoryQuota: asInt(r.aff_history),
    inviterId: asInt(r.inviter_id),
    setting: str(r.setting),
    remark: str(r.remark),
    createdAt: asInt(r.created_at),
    lastLoginAt: asInt(r.last_login_at),
    authVersion: asInt(r.auth_version) || 1,
    deleted: r.deleted_at != null,
    deletedAt: r.deleted_at == null
      ? null
      : r.deleted_at instanceof Date
      ? r.deleted_at.toISOString()
      : String(r.deleted_at),
    githubId: str(r.github_id),
    discordId: str(r.discord_id),
    oidcId: str(r.oidc_id),
    wechatId: str(r.wechat_id),
    telegramId: str(r.telegram_id),
    linuxDoId: str(r.linux_do_id),
    stripeCustomer: str(r.stripe_customer),
  };
}

export async function getUser(
  db: Db,
  id: number,
  opts: { includeDeleted?: boolean } = {},
): Promise<User | undefined> {
  const row = await queryOne(
    db,
    `SELECT ${PUBLIC_COLUMNS} FROM users WHERE id = ?${opts.includeDeleted ? "" : " AND deleted_at IS NULL"}`,
    [id],
  );
  return row ? userFromRow(row) : undefined;
}

export async function getUserByUsername(db: Db, username: string): Promise<User | undefined> {
  const row = await queryOne(
    db,
    `SELECT ${PUBLIC_COLUMNS} FROM users WHERE username = ? AND deleted_at IS NULL`,
    [
      username,
    ],
  );
  return row ? userFromRow(row) : undefined;
}

/** The bcrypt hash for a login attempt (deleted users cannot log in). */
export async function getPasswordHash(db: Db, id: number): Promise<string | undefined> {
  const row = await queryOne<{ password: string }>(
    db,
    "SELECT password FROM users WHERE id = ? AND deleted_at IS NULL",
    [
      id,
    ],
  );
  return row?.password;
}

export async function getUserByAccessTokenHash(db: Db, hash: string): Promise<User | undefined> {
  const row = await queryOne(
    db,
    `SELECT ${PUBLIC_COLUMNS} FROM users WHERE access_token_hash = ? AND deleted_at IS NULL`,
    [hash],
  );
  return row ? userFromRow(row) : undefined;
}

export interface NewUser {
  username: string;
  passwordHash: string;
  displayName?: string;
  role?: number;
  status?: number;
  email?: string;
  quota?: number;
  group?: string;
  affCode?: string;
  inviterId?: number;
  setting?: string;
  remark?: string;
}

/** Inserts a user; a taken username surfaces as UniqueViolation. */
export async function insertUser(db: Db, u: NewUser): Promise<number> {
  return await insertReturningId(
    db,
    `INSERT INTO users (username, password, display_name, role, status, email, quota, "group", aff_code,
      inviter_id, setting, remark, created_at, auth_version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
    [
      u.username,
      u.passwordHash,
      u.displayName ?? u.username,
      u.role ?? Role.common,
      u.status ?? UserStatus.enabled,
      u.email ?? "",
      u.quota ?? 0,
      u.group ?? "default",
      u.affCode ?? null,
      u.inviterId ?? 0,
      u.setting ?? "",
      u.remark ?? "",
      nowSeconds(),
    ],
  );
}

/** Fields an update may touch, by column; anything else is ignored (no mass assignment). */
const UPDATABLE: Record<string, string> = {
  username: "username",
  displayName: "display_name",
  email: "email",
  role: "role",
  status: "status",
  group: '"group"',
  remark: "remark",
  setting: "setting",
  passwordHash: "password",
  lastLoginAt: "last_login_at",
};

export type UserPatch = Partial<{
  username: string;
  displayName: string;
  email: string;
  role: number;
  status: number;
  group: string;
  remark: string;
  setting: string;
  passwordHash: string;
  lastLoginAt: number;
}>;

/**
 * What every change to a user's sign-in (password, role, status, delete) does in the same UPDATE: bump
 * `auth_version`, which ends the console sessions, and drop the access token, which has no version of
 * its own to check (a re-enabled or re-promoted user generates a new one).
 */
const REVOKE_CREDENTIALS =
  "auth_version = auth_version + 1, access_token_hash = NULL, access_token_sealed = NULL, access_token = NULL";

/**
 * Updates the given fields of one user. A change of password, role or status revokes the user's
 * credentials (`REVOKE_CREDENTIALS`).
 */
export async function updateUser(db: Db, id: number, patch: UserPatch): Promise<boolean> {
  const sets: string[] = [];
  const params: SqlValue[] = [];
  for (const [field, value] of Object.entries(patch)) {
    const column = UPDATABLE[field];
    if (!column || value === undefined) continue;
    sets.push(`${column} = ?`);
    params.push(value as SqlValue);
  }
  if (patch.passwordHash !== undefined || patch.role !== undefined || patch.status !== undefined) {
    sets.push(REVOKE_CREDENTIALS);
  }
  if (sets.length === 0) return false;
  const result = await db.exec(`UPDATE users SET ${sets.join(", ")} WHERE id = ? AND deleted_at IS NULL`, [
    ...params,
    id,
  ]);
  return result.changes === 1;
}

/** Stores the access token's hash, and its sealed copy for a rollback to New API (null clears both). */
export async function setAccessTokenHash(
  db: Db,
  id: number,
  hash: string | null,
  sealed: string | null = null,
): Promise<void> {
  await db.exec(
    "UPDATE users SET access_token_hash = ?, access_token_sealed = ?, access_token = NULL WHERE id = ?",
    [hash, hash === null ? null : sealed, id],
  );
}

/**
 * Adds `delta` to the user's quota. A negative delta succeeds only if the balance covers it (the
 * balance never goes below zero, whatever the concurrency). Returns whether it applied.
 */
export async function addUserQuota(db: Db, id: number, delta: number): Promise<boolean> {
  if (!Number.isSafeInteger(delta)) throw new RangeError("quota delta must be a safe integer");
  const result = delta >= 0
    ? await db.exec("UPDATE users SET quota = quota + ? WHERE id = ?", [delta, id])
    // Covered by the balance as readers see it (quota leased out to instances included).
    : await db.exec(`UPDATE users SET quota = quota - ? WHERE id = ? AND ${LEASED_USER_QUOTA} >= ?`, [
      -delta,
      id,
      -delta,
    ]);
  return result.changes === 1;
}

/**
 * Sets the quota to an absolute value (admin edit), as readers see it: quota leased out to instances is
 * taken off the column (store/quota_leases.ts). Refuses negatives.
 */
export async function setUserQuota(db: Db, id: number, quota: number): Promise<boolean> {
  if (!Number.isSafeInteger(quota) || quota < 0) throw new RangeError("quota must be a non-negative integer");
  return (await db.exec(
    `UPDATE users SET ${absoluteBalanceSql(LeaseKind.user)} WHERE id = ? AND deleted_at IS NULL`,
    [quota, id],
  )).changes === 1;
}

export async function softDeleteUser(db: Db, id: number): Promise<boolean> {
  const stamp = timestampValue(db.dialect);
  const result = await db.exec(
    `UPDATE users SET deleted_at = ?, ${REVOKE_CREDENTIALS} WHERE id = ? AND deleted_at IS NULL`,
    [stamp, id],
  );
  return result.changes === 1;
}

export interface UserQuery {
  offset: number;
  limit: number;
  /** Matches id exactly, or username / email / display name by prefix-free substring. */
  keyword?: string;
  group?: string;
  role?: number;
  status?: number;
  /** One of `id`, `username`, `quota`, `group`, `created_at`, `last_login_at` (New API's list); else id. */
  sortBy?: string;
  sortOrder?: "asc" | "desc";
}

const USER_SORT_COLUMNS: Record<string, string> = {
  id: "id",
  username: "username",
  quota: "quota",
  group: '"group"',
  created_at: "created_at",
  last_login_at: "last_login_at",
};

/** Escapes LIKE wildcards so user input matches literally (`!` is the escape character). */
export function likeLiteral(text: string): string {
  return `%${text.replaceAll("!", "!!").replaceAll("%", "!%").replaceAll("_", "!_")}%`;
}

export async function listUsers(db: Db, q: UserQuery): Promise<{ items: User[]; total: number }> {
  const where: string[] = ["deleted_at IS NULL"];
  const params: SqlValue[] = [];
  if (q.keyword) {
    const like = likeLiteral(q.keyword);
    const id = /^\d+$/.test(q.keyword) ? Number(q.keyword) : -1;
    where.push(
      "(id = ? OR username LIKE ? ESCAPE '!' OR email LIKE ? ESCAPE '!' OR display_name LIKE ? ESCAPE '!')",
    );
    params.push(id, like, like, like);
  }
  if (q.group) {
    where.push('"group" = ?');
    params.push(q.group);
  }
  if (q.role !== undefined) {
    where.push("role = ?");
    params.push(q.role);
  }
  if (q.status !== undefined) {
    where.push("status = ?");
    params.push(q.status);
  }
  const clause = where.join(" AND ");
  const total = asInt((await queryOne(db, `SELECT COUNT(*) AS n FROM users WHERE ${clause}`, params))?.n);
  const column = USER_SORT_COLUMNS[q.sortBy ?? ""] ?? "id";
  const direction = q.sortOrder === "asc" ? "ASC" : "DESC";
  const order = column === "id" ? `id ${direction}` : `${column} ${direction}, id DESC`;
  const rows = await db.query(
    `SELECT ${PUBLIC_COLUMNS} FROM users WHERE ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`,
    [...params, q.limit, q.offset],
  );
  return { items: rows.map(userFromRow), total };
}

/** The live user whose invitation code is `affCode`, for registration with an inviter. */
export async function getUserIdByAffCode(db: Db, affCode: string): Promise<number | undefined> {
  const row = await queryOne(db, "SELECT id FROM users WHERE aff_code = ? AND deleted_at IS NULL", [affCode]);
  return row ? asInt(row.id) : undefined;
}

/**
 * The live users whose email is `email` (compared case-insensitively; `email` must be lower-cased). New
 * API keeps no unique index on email, so an imported database may hold more than one.
 */
export async function getUserIdsByEmail(db: Db, email: string): Promise<number[]> {
  if (!email) return [];
  const rows = await db.query("SELECT id FROM users WHERE LOWER(email) = ? AND deleted_at IS NULL", [email]);
  return rows.map((r) => asInt(r.id));
}

export async function countRootUsers(db: Db): Promise<number> {
  return asInt(
    (await queryOne(db, "SELECT COUNT(*) AS n FROM users WHERE role = ? AND deleted_at IS NULL", [Role.root]))
      ?.n,
  );
}

/** Every live user, for the in-memory cache. */
export async function loadAllUsers(db: Db): Promise<User[]> {
  return (await db.query(`SELECT ${PUBLIC_COLUMNS} FROM users WHERE deleted_at IS NULL`)).map(userFromRow);
}

/** New API's external-account columns on `users`, by the `binding_type` its routes name them with. */
export const BINDING_COLUMNS = {
  github: "github_id",
  discord: "discord_id",
  oidc: "oidc_id",
  linuxdo: "linux_do_id",
  wechat: "wechat_id",
  telegram: "telegram_id",
} as const;

export type BindingColumn = (typeof BINDING_COLUMNS)[keyof typeof BINDING_COLUMNS];

/**
 * The user bound to an external account, deleted ones included (New API counts a deleted user's binding
 * as taken, and refuses to sign it in).
 */
export async function findUserByBinding(
  db: Db,
  column: BindingColumn,
  value: string,
): Promise<{ id: number; deleted: boolean } | undefined> {
  if (!value) return undefined;
  const row = await queryOne(db, `SELECT id, deleted_at FROM users WHERE ${column} = ? ORDER BY id LIMIT 1`, [
    value,
  ]);
  return row ? { id: asInt(row.id), deleted: row.deleted_at != null } : undefined;
}

/** Binds (or with "" unbinds) an external account. */
export async function setUserBinding(
  db: Db,
  id: number,
  column: BindingColumn,
  value: string,
): Promise<boolean> {
  const result = await db.exec(`UPDATE users SET ${column} = ? WHERE id = ? AND deleted_at IS NULL`, [
    value,
    id,
  ]);
  return result.changes === 1;
}

/** Whether a username is used, deleted users included (New API's `CheckUserExistOrDeleted`). */
export async function usernameExists(db: Db, username: string): Promise<boolean> {
  return (await queryOne(db, "SELECT id FROM users WHERE username = ?", [username])) !== undefined;
}

/** The highest user id so far (New API names OAuth sign-ups `<provider>_<max id + 1>`). */
export async function maxUserId(db: Db): Promise<number> {
  return asInt((await queryOne(db, "SELECT MAX(id) AS n FROM users"))?.n);
}
