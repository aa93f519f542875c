/**
 * SQLite driver through `node:sqlite`: one file, WAL journal, and an in-process lock so an async
 * transaction never interleaves with other statements on the one connection. When another connection
 * holds the write lock we wait asynchronously (up to the busy timeout) instead of blocking the thread:
 * a synchronous busy wait would freeze the event loop and, with two connections in one process, deadlock.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { type Db, type ExecResult, type Row, type SqlValue, UniqueViolation } from "./db.ts";

export interface SqliteOptions {
  path: string;
  busyTimeoutMs: number;
}

function bind(params: readonly SqlValue[] | undefined): SQLInputValue[] {
  if (!params) return [];
  return params.map((p) => (p === true ? 1 : p === false ? 0 : p === undefined ? null : p) as SQLInputValue);
}

function isBusy(err: unknown): boolean {
  const e = err as { errcode?: number; message?: string };
  return (e?.errcode ?? 0) % 256 === 5 || Boolean(e?.message?.includes("database is locked"));
}

/** Runs `op`, retrying with backoff while the database is locked by another connection. */
async function whenUnlocked<T>(op: () => T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1;; attempt++) {
    try {
      return op();
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, Math.min(25, attempt) * (0.5 + Math.random())));
    }
  }
}

function translateError(err: unknown): unknown {
  const message = (err as Error)?.message ?? "";
  if (message.includes("UNIQUE constraint failed")) return new UniqueViolation(message);
  return err;
}

class Connection {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #prepare(sql: string): StatementSync {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      if (this.#statements.size > 500) this.#statements.clear();
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  all(sql: string, params?: readonly SqlValue[]): Row[] {
    try {
      return this.#prepare(sql).all(...bind(params)) as Row[];
    } catch (err) {
      throw translateError(err);
    }
  }

  run(sql: string, params?: readonly SqlValue[]): ExecResult {
    try {
      const result = this.#prepare(sql).run(...bind(params));
      return { changes: Number(result.changes) };
    } catch (err) {
      throw translateError(err);
    }
  }

  raw(sql: string): void {
    this.#db.exec(sql);
  }

  close(): void {
    this.#statements.clear();
    this.#db.close();
  }
}

/** Statements of one transaction; nested transactions become savepoints. */
class SqliteTx implements Db {
  readonly dialect = "sqlite" as const;
  #depth: number;
  constructor(private readonly conn: Connection, depth: number) {
    this.#depth = depth;
  }
  query<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return Promise.resolve(this.conn.all(sql, params) as T[]);
  }
  exec(sql: string, params?: readonly SqlValue[]): Promise<ExecResult> {
    return Promise.resolve(this.conn.run(sql, params));
  }
  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const name = `sp${this.#depth}`;
    this.conn.raw(`SAVEPOINT ${name}`);
    try {
      const result = await fn(new SqliteTx(this.conn, this.#depth + 1));
      this.conn.raw(`RELEASE ${name}`);
      return result;
    } catch (err) {
      this.conn.raw(`ROLLBACK TO ${name}`);
      this.conn.raw(`RELEASE ${name}`);
      throw err;
    }
  }
  close(): Promise<void> {
    return Promise.reject(new Error("cannot close the store from inside a transaction"));
  }
}

class SqliteDb implements Db {
  readonly dialect = "sqlite" as const;
  readonly #conn: Connection;
  /** Set while a transaction owns the connection; other callers wait for it. */
  #busy: Promise<void> | null = null;
  #closed = false;

  readonly #busyTimeoutMs: number;

  constructor(conn: Connection, busyTimeoutMs: number) {
    this.#conn = conn;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("store is closed");
  }

  async query<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    // Re-check after every wake-up: the check and the statement must run in the same tick.
    while (this.#busy) await this.#busy;
    this.#assertOpen();
    try {
      return this.#conn.all(sql, params) as T[];
    } catch (err) {
      if (!isBusy(err)) throw err;
      return await this.transaction((tx) => tx.query<T>(sql, params));
    }
  }

  async exec(sql: string, params?: readonly SqlValue[]): Promise<ExecResult> {
    while (this.#busy) await this.#busy;
    this.#assertOpen();
    try {
      return this.#conn.run(sql, params);
    } catch (err) {
      if (!isBusy(err)) throw err;
      return await this.transaction((tx) => tx.exec(sql, params));
    }
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    while (this.#busy) await this.#busy;
    this.#assertOpen();
    let release!: () => void;
    this.#busy = new Promise((resolve) => (release = resolve));
    try {
      await whenUnlocked(() => this.#conn.raw("BEGIN IMMEDIATE"), this.#busyTimeoutMs);
      try {
        const result = await fn(new SqliteTx(this.#conn, 1));
        this.#conn.raw("COMMIT");
        return result;
      } catch (err) {
        try {
          this.#conn.raw("ROLLBACK");
        } catch { /* the transaction may already be gone (e.g. SQLITE_FULL) */ }
        throw err;
      }
    } finally {
      this.#busy = null;
      release();
    }
  }

  async close(): Promise<void> {
    while (this.#busy) await this.#busy;
    if (this.#closed) return;
    this.#closed = true;
    this.#conn.close();
  }
}

/** Opens (creating if needed) the SQLite file with WAL and a busy timeout. */
export async function openSqlite(options: SqliteOptions): Promise<Db> {
  if (options.path !== ":memory:") {
    const dir = options.path.includes("/") ? options.path.slice(0, options.path.lastIndexOf("/")) : ".";
    if (dir) await Deno.mkdir(dir, { recursive: true });
  }
  const db = new DatabaseSync(options.path);
  // Waiting for other writers happens asynchronously in whenUnlocked(), never inside SQLite.
  db.exec("PRAGMA busy_timeout = 0");
  if (options.path !== ":memory:") {
    await whenUnlocked(() => db.exec("PRAGMA journal_mode = WAL"), options.busyTimeoutMs);
  }
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = OFF");
  return new SqliteDb(new Connection(db), options.busyTimeoutMs);
}
