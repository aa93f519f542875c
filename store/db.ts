/**
 * The small driver interface every repository uses. SQL is written once with `?` placeholders and the
 * reserved New API column names (`"group"`, `"key"`) double-quoted, which both SQLite and PostgreSQL accept.
 */

export type Dialect = "sqlite" | "postgres";

export type Row = Record<string, unknown>;

/** A value that can be bound as a parameter. Booleans become 1/0 on SQLite. */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array;

export interface ExecResult {
  /** Rows changed by INSERT/UPDATE/DELETE. */
  changes: number;
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
   * returns an unsubscribe function. Absent on SQLite, where one process owns the file.
   */
  listen?(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
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

/** Current time in whole seconds, the unit New API's time columns use. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
