/**
 * The small driver interface every repository uses. SQL is written once with `?` placeholders and the
 * reserved New API column names (`"group"`, `"key"`) double-quoted, which SQLite, PostgreSQL and MySQL (run with
 * ANSI_QUOTES) accept. What the dialects spell differently goes through the helpers at the end of this file.
 */
import { log } from "../server/logger.ts";

export type Dialect = "sqlite" | "postgres" | "mysql";

/**
 * New API's SQL_SLOW_THRESHOLD_MS: a statement that took `thresholdMs` or longer (waiting for a pooled
 * connection included, as GORM counts it) is logged as a warning with its SQL text, never its values.
 * 0 turns it off. `noteSlow` is called by each driver with `performance.now()` taken before the statement.
 */
export interface SlowQueryLog {
  thresholdMs: number;
  dialect: Dialect;
}

/** The statement timing of a store: the slow-statement log (threshold 0: off) and the metrics' timings. */
export function slowQueryLog(thresholdMs: number | undefined, dialect: Dialect): SlowQueryLog {
  return { thresholdMs: thresholdMs && thresholdMs > 0 ? thresholdMs : 0, dialect };
}

/**
 * Where every statement's duration goes besides the slow log: `/metrics`' store timings
 * (`server/metrics.ts` sets it; process-wide, as the stores are).
 */
export const statementTimings: { observe?: (dialect: Dialect, ms: number) => void } = {};

export function noteSlow(slow: SlowQueryLog | undefined, sql: string, startedMs: number): void {
  if (!slow) return;
  const ms = performance.now() - startedMs;
  statementTimings.observe?.(slow.dialect, ms);
  if (slow.thresholdMs <= 0 || ms < slow.thresholdMs) return;
  log.warn("slow SQL statement", {
    ms: Math.round(ms),
    store: slow.dialect,
    sql: sql.length > 500 ? `${sql.slice(0, 500)}…` : sql,
  });
}

export type Row = Record<string, unknown>;

/** A value that can be bound as a parameter. Booleans become 1/0 on SQLite. */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array;

export interface ExecResult {
  /** Rows changed by INSERT/UPDATE/DELETE. */
  changes: number;
  /** MySQL only: the AUTO_INCREMENT id an INSERT assigned (see insertReturningId). */
  lastInsertId?: number;
}

export interface Db {
  readonly dialect: Dialect;
  /** Runs a statement and returns its rows (use `RETURNING` to get inserted ids). */
  query<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement for its effect and returns how many rows it changed. */
  exec(sql: string, params?: readonly SqlValue[]): Promise<ExecResult>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. SQLite takes
   * the write lock at BEGIN (IMMEDIATE) so read-then-write sequences inside cannot interleave, and
   * transactions waiting for the connection share one COMMIT (each in its own savepoint; see sqlite.ts).
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * PostgreSQL only: subscribes to NOTIFY on `channel` (a dedicated connection that reconnects) and
   * returns an unsubscribe function. Absent on SQLite, where one process owns the file, and on MySQL, where
   * the catalog's changes go through the polled `cache_changes` table (cache/change_feed.ts).
   */
  listen?(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /** MySQL only: takes the named lock `key` (GET_LOCK) until the outer transaction ends (see lockTransaction). */
  holdLock?(key: number): Promise<void>;
  /** PostgreSQL only: sends NOTIFY `channel` with `payload` (delivered at commit when inside a transaction). */
  notify?(channel: string, payload: string): Promise<void>;
}

/** A store error that is the caller's fault (unique violation), as opposed to an outage. */
export class UniqueViolation extends Error {
  override name = "UniqueViolation";
}

/** Reads the first row or undefined. */
export async function queryOne<T = Row>(
  db: Db,
  sql: string,
  params?: readonly SqlValue[],
): Promise<T | undefined> {
  const rows = await db.query<T>(sql, params);
  return rows[0];
}

/** Normalises a boolean column: SQLite gives 0/1, PostgreSQL gives true/false. */
export function asBool(v: unknown): boolean {
  return v === true || v === 1 || v === "1" || v === "t" || v === "true" || v === 1n;
}

/** Normalises an integer column (bigint columns may arrive as bigint or string). */
export function asInt(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v !== "") return Number(v);
  return 0;
}

/** A JSON-object text column (`setting`, `channel_info`, ...) as an object; empty or malformed reads as {}. */
export function asJsonObject(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/**
 * A JSON text column (`payload`, `state`, `info`, ...) as the value it holds: null when empty, the text
 * itself when it is not JSON (written by hand or by another program).
 */
export function asJsonValue(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A moment as a parameter for a timestamp column (GORM's `deleted_at`): ISO 8601 for SQLite and PostgreSQL;
 * MySQL's datetime refuses the `T…Z` form, so there it is `YYYY-MM-DD HH:MM:SS.mmm` in UTC.
 */
export function timestampValue(dialect: Dialect, at = new Date()): string {
  const iso = at.toISOString();
  return dialect === "mysql" ? iso.replace("T", " ").replace("Z", "") : iso;
}

/** Whole seconds as a timestamp-column parameter; 0 (never) is NULL, as GORM keeps an unset `*time.Time`. */
export function secondsTimestamp(dialect: Dialect, seconds: number): string | null {
  return seconds > 0 ? timestampValue(dialect, new Date(seconds * 1000)) : null;
}

const STAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?/;

/**
 * A timestamp column as whole seconds (0 when NULL). PostgreSQL gives a Date; MySQL (dateStrings) and
 * SQLite give text: ours (`…T…Z`, or MySQL's UTC `YYYY-MM-DD HH:MM:SS.mmm`) or GORM's
 * (`2006-01-02 15:04:05.999999999-07:00`); text without a zone is UTC, as this gateway writes it.
 */
export function timestampSeconds(v: unknown): number {
  if (v == null || v === "") return 0;
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  if (typeof v === "number" || typeof v === "bigint") return Number(v);
  const m = STAMP.exec(String(v));
  if (!m) return 0;
  const zone = !m[4] || m[4] === "Z"
    ? "Z"
    : m[4].length === 5
    ? `${m[4].slice(0, 3)}:${m[4].slice(3)}`
    : m[4];
  return Math.floor(Date.parse(`${m[1]}T${m[2]}${zone}`) / 1000) || 0;
}

/** Current time in whole seconds, the unit New API's time columns use. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Inserts one row (`sql` is an INSERT without RETURNING) and returns its new `id`. */
export async function insertReturningId(db: Db, sql: string, params: readonly SqlValue[]): Promise<number> {
  if (db.dialect === "mysql") return (await db.exec(sql, params)).lastInsertId ?? 0;
  const [row] = await db.query<{ id: unknown }>(`${sql} RETURNING id`, params);
  return asInt(row.id);
}

/** Inserts one row into `table` (which has an `id`) and returns `columns` of it as stored. */
export async function insertReturning(
  db: Db,
  table: string,
  sql: string,
  params: readonly SqlValue[],
  columns: string,
): Promise<Row> {
  if (db.dialect !== "mysql") return (await db.query(`${sql} RETURNING ${columns}`, params))[0];
  return await db.transaction(async (tx) => {
    const id = await insertReturningId(tx, sql, params);
    return (await queryOne(tx, `SELECT ${columns} FROM ${table} WHERE id = ?`, [id]))!;
  });
}

/**
 * UPDATE … RETURNING `columns`: the changed rows as they are after the update. MySQL has no UPDATE …
 * RETURNING: there the update runs in a (nested) transaction, which keeps the rows locked, and the rows are
 * read back by `key`, the unique column the WHERE clause pins (its value must be among the parameters).
 */
export async function updateReturning(
  db: Db,
  u: { table: string; sql: string; params: readonly SqlValue[]; columns: string; key: [string, SqlValue] },
): Promise<Row[]> {
  if (db.dialect !== "mysql") return await db.query(`${u.sql} RETURNING ${u.columns}`, u.params);
  return await db.transaction(async (tx) => {
    if ((await tx.exec(u.sql, u.params)).changes === 0) return [];
    return await tx.query(`SELECT ${u.columns} FROM ${u.table} WHERE ${u.key[0]} = ?`, [u.key[1]]);
  });
}

/**
 * INSERT INTO `table` (`columns`) VALUES (?, …), or, when the unique key `conflict` already holds a row,
 * sets `update` to the new values instead.
 */
export function upsertSql(
  dialect: Dialect,
  table: string,
  columns: readonly string[],
  conflict: readonly string[],
  update: readonly string[],
): string {
  const insert = `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
  if (dialect === "mysql") {
    return `${insert} ON DUPLICATE KEY UPDATE ${update.map((c) => `${c} = VALUES(${c})`).join(", ")}`;
  }
  return `${insert} ON CONFLICT (${conflict.join(", ")}) DO UPDATE SET ${
    update.map((c) => `${c} = excluded.${c}`).join(", ")
  }`;
}

/** INSERT INTO `table` (`columns`) VALUES (?, …) that does nothing when a unique key already holds the row. */
export function insertIgnoreSql(dialect: Dialect, table: string, columns: readonly string[]): string {
  const values = `(${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
  return dialect === "mysql"
    ? `INSERT IGNORE INTO ${table} ${values}`
    : `INSERT INTO ${table} ${values} ON CONFLICT DO NOTHING`;
}

/**
 * Serialises transactions that take the same `key` until the calling transaction ends. SQLite's BEGIN
 * IMMEDIATE already serialises every writer; PostgreSQL takes an advisory lock, MySQL a named lock.
 */
export async function lockTransaction(tx: Db, key: number): Promise<void> {
  if (tx.dialect === "postgres") await tx.exec(`SELECT pg_advisory_xact_lock(${key})`);
  else if (tx.dialect === "mysql") await tx.holdLock!(key);
}

/** `expr` as text (MySQL casts to CHAR; elsewhere CHAR means one character). */
/**
 * `column = ?` parts and their values for a patch: each field defined in `patch` and named in `columns`
 * (field → column), in the patch's order; undefined fields and unknown ones are left out.
 */
export function setClause(
  patch: Record<string, unknown>,
  columns: Record<string, string>,
): { sets: string[]; params: SqlValue[] } {
  const sets: string[] = [];
  const params: SqlValue[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined || !columns[field]) continue;
    sets.push(`${columns[field]} = ?`);
    params.push(value as SqlValue);
  }
  return { sets, params };
}

export function castText(dialect: Dialect, expr: string): string {
  return `CAST(${expr} AS ${dialect === "mysql" ? "CHAR" : "TEXT"})`;
}
