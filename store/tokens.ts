/**
 * The `tokens` table. The `key` column holds only the keyed hash of the API key; the plaintext key is
 * returned once by `createToken`/`regenerateTokenKey`. Quota moves through conditional updates.
 */
import { absoluteBalanceSql, LEASED_TOKEN_QUOTA, LeaseKind } from "./quota_leases.ts";
import {
  asBool,
  asInt,
  type Db,
  insertReturning,
  nowSeconds,
  queryOne,
  type Row,
  setClause,
  type SqlValue,
  timestampValue,
} from "./db.ts";
import { generateTokenKey, hashTokenKey, maskTokenKey } from "../crypto/token_key.ts";
import { sealTokenKey } from "../crypto/token_key_seal.ts";
import { likeLiteral } from "./users.ts";

export const TokenStatus = { enabled: 1, disabled: 2, expired: 3, exhausted: 4 } as const;

export interface Token {
  id: number;
  userId: number;
  /** `h1:` keyed hash of the bare key. */
  keyHash: string;
  /** Masked key for display, e.g. `sk-abcd**********wxyz`. */
  keyHint: string;
  status: number;
  name: string;
  createdTime: number;
  accessedTime: number;
  /** Unix seconds, or -1 for never. */
  expiredTime: number;
  remainQuota: number;
  unlimitedQuota: boolean;
  usedQuota: number;
  modelLimitsEnabled: boolean;
  /** Comma-separated model names, as New API stores them. */
  modelLimits: string;
  /** Newline-separated IPs or CIDRs, as New API stores them. */
  allowIps: string;
  group: string;
  crossGroupRetry: boolean;
  /** New API's `auto_groups`: a JSON array of groups a token of group "auto" walks; "" = `AutoGroups`. */
  autoGroups: string;
  rpmLimit: number;
  tpmLimit: number;
  concurrencyLimit: number;
}

const COLUMNS = `id, user_id, "key", key_hint, status, name, created_time, accessed_time, expired_time,
  ${LEASED_TOKEN_QUOTA} AS remain_quota, unlimited_quota, used_quota, model_limits_enabled, model_limits, allow_ips, "group",
  cross_group_retry, auto_groups, rpm_limit, tpm_limit, concurrency_limit`;

const str = (v: unknown) => (v == null ? "" : String(v));

export function tokenFromRow(r: Row): Token {
  return {
    id: asInt(r.id),
    userId: asInt(r.user_id),
    // PostgreSQL pads a char(n) column on read: One API's tokens.key is char(48), a hash is 46 long.
    keyHash: str(r.key).trimEnd(),
    keyHint: str(r.key_hint),
    status: asInt(r.status),
    name: str(r.name),
    createdTime: asInt(r.created_time),
    accessedTime: asInt(r.accessed_time),
    expiredTime: r.expired_time == null ? -1 : asInt(r.expired_time),
    remainQuota: asInt(r.remain_quota),
    unlimitedQuota: asBool(r.unlimited_quota),
    usedQuota: asInt(r.used_quota),
    modelLimitsEnabled: asBool(r.model_limits_enabled),
    modelLimits: str(r.model_limits),
    allowIps: str(r.allow_ips),
    group: str(r.group),
    crossGroupRetry: asBool(r.cross_group_retry),
    autoGroups: str(r.auto_groups),
    rpmLimit: asInt(r.rpm_limit),
    tpmLimit: asInt(r.tpm_limit),
    concurrencyLimit: asInt(r.concurrency_limit),
  };
}

export interface TokenFields {
  name: string;
  status: number;
  expiredTime: number;
  remainQuota: number;
  unlimitedQuota: boolean;
  modelLimitsEnabled: boolean;
  modelLimits: string;
  allowIps: string;
  group: string;
  crossGroupRetry: boolean;
  autoGroups: string;
  rpmLimit: number;
  tpmLimit: number;
  concurrencyLimit: number;
}

const FIELD_COLUMNS: Record<keyof TokenFields, string> = {
  name: "name",
  status: "status",
  expiredTime: "expired_time",
  remainQuota: "remain_quota",
  unlimitedQuota: "unlimited_quota",
  modelLimitsEnabled: "model_limits_enabled",
  modelLimits: "model_limits",
  allowIps: "allow_ips",
  group: '"group"',
  crossGroupRetry: "cross_group_retry",
  autoGroups: "auto_groups",
  rpmLimit: "rpm_limit",
  tpmLimit: "tpm_limit",
  concurrencyLimit: "concurrency_limit",
};

/** Creates a token and returns it with its plaintext key (`sk-…`), which is never stored. */
export async function createToken(
  db: Db,
  cryptoSecret: string,
  userId: number,
  fields: Partial<TokenFields> & { name: string },
  bareKey = generateTokenKey(),
): Promise<{ token: Token; key: string }> {
  const now = nowSeconds();
  const row = await insertReturning(
    db,
    "tokens",
    `INSERT INTO tokens (user_id, "key", key_hint, key_sealed, status, name, created_time, accessed_time,
      expired_time, remain_quota, unlimited_quota, used_quota, model_limits_enabled, model_limits, allow_ips,
      "group", cross_group_retry, auto_groups, rpm_limit, tpm_limit, concurrency_limit)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      userId,
      hashTokenKey(cryptoSecret, bareKey),
      maskTokenKey(bareKey),
      sealTokenKey(cryptoSecret, bareKey),
      fields.status ?? TokenStatus.enabled,
      fields.name,
      now,
      now,
      fields.expiredTime ?? -1,
      fields.remainQuota ?? 0,
      fields.unlimitedQuota ?? false,
      fields.modelLimitsEnabled ?? false,
      fields.modelLimits ?? "",
      fields.allowIps ?? "",
      fields.group ?? "",
      fields.crossGroupRetry ?? false,
      fields.autoGroups ?? "",
      fields.rpmLimit ?? 0,
      fields.tpmLimit ?? 0,
      fields.concurrencyLimit ?? 0,
    ],
    COLUMNS,
  );
  return { token: tokenFromRow(row), key: `sk-${bareKey}` };
}

/** A token by id; with `userId`, only if it belongs to that user (object-level access check). */
export async function getToken(db: Db, id: number, userId?: number): Promise<Token | undefined> {
  const row = userId === undefined
    ? await queryOne(db, `SELECT ${COLUMNS} FROM tokens WHERE id = ? AND deleted_at IS NULL`, [id])
    : await queryOne(
      db,
      `SELECT ${COLUMNS} FROM tokens WHERE id = ? AND user_id = ? AND deleted_at IS NULL`,
      [
        id,
        userId,
      ],
    );
  return row ? tokenFromRow(row) : undefined;
}

export async function getTokenByHash(db: Db, hash: string): Promise<Token | undefined> {
  const row = await queryOne(db, `SELECT ${COLUMNS} FROM tokens WHERE "key" = ? AND deleted_at IS NULL`, [
    hash,
  ]);
  return row ? tokenFromRow(row) : undefined;
}

/** Updates the given fields of a token owned by `userId`; returns the updated token. */
export async function updateToken(
  db: Db,
  id: number,
  userId: number,
  patch: Partial<TokenFields>,
): Promise<Token | undefined> {
  const { sets, params } = setClause(patch, FIELD_COLUMNS);
  if (sets.length > 0) {
    // A new remain_quota is the balance as readers see it: quota leased out is taken off the column.
    const at = sets.indexOf("remain_quota = ?");
    if (at >= 0) sets[at] = absoluteBalanceSql(LeaseKind.token);
    await db.exec(
      `UPDATE tokens SET ${sets.join(", ")} WHERE id = ? AND user_id = ? AND deleted_at IS NULL`,
      [
        ...params,
        id,
        userId,
      ],
    );
  }
  return await getToken(db, id, userId);
}

/** Replaces the key of a token owned by `userId`; returns the new plaintext key once. */
export async function regenerateTokenKey(
  db: Db,
  cryptoSecret: string,
  id: number,
  userId: number,
): Promise<string | undefined> {
  const bare = generateTokenKey();
  const result = await db.exec(
    `UPDATE tokens SET "key" = ?, key_hint = ?, key_sealed = ? WHERE id = ? AND user_id = ? AND deleted_at IS NULL`,
    [hashTokenKey(cryptoSecret, bare), maskTokenKey(bare), sealTokenKey(cryptoSecret, bare), id, userId],
  );
  return result.changes === 1 ? `sk-${bare}` : undefined;
}

export async function deleteTokens(db: Db, ids: number[], userId: number): Promise<number> {
  if (ids.length === 0) return 0;
  const marks = ids.map(() => "?").join(", ");
  const result = await db.exec(
    `UPDATE tokens SET deleted_at = ? WHERE user_id = ? AND id IN (${marks}) AND deleted_at IS NULL`,
    [timestampValue(db.dialect), userId, ...ids],
  );
  return result.changes;
}

export interface TokenQuery {
  userId: number;
  offset: number;
  limit: number;
  /** Name substring (wildcards in it are literal). */
  keyword?: string;
  /** Only the token whose stored key hash is this (search by a full key). */
  keyHash?: string;
  status?: number;
}

export async function listTokens(db: Db, q: TokenQuery): Promise<{ items: Token[]; total: number }> {
  const where = ["user_id = ?", "deleted_at IS NULL"];
  const params: SqlValue[] = [q.userId];
  if (q.keyword) {
    where.push("name LIKE ? ESCAPE '!'");
    params.push(likeLiteral(q.keyword));
  }
  if (q.keyHash !== undefined) {
    where.push(`"key" = ?`);
    params.push(q.keyHash);
  }
  if (q.status !== undefined) {
    where.push("status = ?");
    params.push(q.status);
  }
  const clause = where.join(" AND ");
  const total = asInt((await queryOne(db, `SELECT COUNT(*) AS n FROM tokens WHERE ${clause}`, params))?.n);
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM tokens WHERE ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`,
    [
      ...params,
      q.limit,
      q.offset,
    ],
  );
  return { items: rows.map(tokenFromRow), total };
}

export async function countUserTokens(db: Db, userId: number): Promise<number> {
  return asInt(
    (await queryOne(db, "SELECT COUNT(*) AS n FROM tokens WHERE user_id = ? AND deleted_at IS NULL", [
      userId,
    ]))?.n,
  );
}

/** Every live token, for the in-memory cache. */
export async function loadAllTokens(db: Db): Promise<Token[]> {
  return (await db.query(`SELECT ${COLUMNS} FROM tokens WHERE deleted_at IS NULL`)).map(tokenFromRow);
}
