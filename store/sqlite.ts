/**
 * SQLite driver through `node:sqlite`: one file, WAL journal, and an in-process queue so an async
 * transaction never interleaves with other statements on the one connection (waiting transactions share
 * one commit). When another connection
 * holds the write lock we wait asynchronously (up to the busy timeout) instead of blocking the thread:
 * a synchronous busy wait would freeze the event loop and, with two connections in one process, deadlock.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import {
  type Db,
  type ExecResult,
  noteSlow,
  type Row,
  type SlowQueryLog,
  slowQueryLog,
  type SqlValue,
  UniqueViolation,
} from "./db.ts";
import { preparePrivateFile, tightenSqliteSidecars } from "./private_file.ts";

export interface SqliteOptions {
  path: string;
  busyTimeoutMs: number;
  /** SQL_SLOW_THRESHOLD_MS; unset or 0: off. */
  slowQueryMs?: number;
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

  readonly #slow: SlowQueryLog | undefined;

  constructor(db: DatabaseSync, slow: SlowQueryLog | undefined) {
    this.#db = db;
    this.#slow = slow;
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
    const started = this.#slow ? performance.now() : 0;
    try {
      return this.#prepare(sql).all(...bind(params)) as Row[];
    } catch (err) {
      throw translateError(err);
    } finally {
      if (this.#slow) noteSlow(this.#slow, sql, started);
    }
  }

  run(sql: string, params?: readonly SqlValue[]): ExecResult {
    const started = this.#slow ? performance.now() : 0;
    try {
      const result = this.#prepare(sql).run(...bind(params));
      return { changes: Number(result.changes) };
    } catch (err) {
      throw translateError(err);
    } finally {
      if (this.#slow) noteSlow(this.#slow, sql, started);
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

/** A caller waiting for the connection: a transaction, or one statement outside any transaction. */
interface Job {
  run(tx: Db): Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Jobs sharing one commit at most; a bigger queue is served by several commits in a row. */
const MAX_GROUP = 256;

/**
 * The connection with group commit. Transactions (and statements arriving while one runs) queue up and
 * are served in arrival order, as many as are waiting, inside one `BEGIN IMMEDIATE … COMMIT`: each job
 * in its own savepoint, so a job that throws rolls back alone. Every job's promise settles only after the
 * COMMIT that made it durable (or, should the COMMIT itself fail, with that error: then nothing of the
 * group was written). Serial execution on the one connection is unchanged; what is shared is the cost of
 * the commit (the WAL write of the pages the group touched), which dominated a relay request's CPU time.
 */
class SqliteDb implements Db {
  readonly dialect = "sqlite" as const;
  readonly #conn: Connection;
  readonly #queue: Job[] = [];
  /** True while groups run: set and cleared in the same tick as the queue is checked. */
  #running = false;
  /** The running drain, for close() to wait on. */
  #drained: Promise<void> = Promise.resolve();
  #closed = false;

  readonly #busyTimeoutMs: number;

  constructor(conn: Connection, busyTimeoutMs: number) {
    this.#conn = conn;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("store is closed");
  }

  query<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.#statement((c) => c.all(sql, params) as T[], (tx) => tx.query<T>(sql, params));
  }

  exec(sql: string, params?: readonly SqlValue[]): Promise<ExecResult> {
    return this.#statement((c) => c.run(sql, params), (tx) => tx.exec(sql, params));
  }

  /**
   * A statement outside a transaction runs at once (autocommit) when the connection is idle; while a
   * group runs it must not see that group's uncommitted writes, so it queues behind it like a job.
   */
  #statement<T>(now: (c: Connection) => T, queued: (tx: Db) => Promise<T>): Promise<T> {
    try {
      this.#assertOpen();
      if (!this.#running) return Promise.resolve(now(this.#conn));
    } catch (err) {
      // Another connection holds the write lock: wait for it the way a transaction does.
      if (!isBusy(err)) return Promise.reject(err);
    }
    return this.transaction(queued);
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    try {
      this.#assertOpen();
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run: fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#running) {
        this.#running = true;
        this.#drained = this.#drain();
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const group = this.#queue.splice(0, MAX_GROUP);
        try {
          await whenUnlocked(() => this.#conn.run("BEGIN IMMEDIATE"), this.#busyTimeoutMs);
        } catch (err) {
          for (const job of group) job.reject(err);
          continue;
        }
        await this.#runGroup(group);
      }
    } finally {
      this.#running = false;
    }
  }

  /** Runs one group inside the open transaction and commits it; settles every job of the group. */
  async #runGroup(group: Job[]): Promise<void> {
    const outcomes: { ok: boolean; value: unknown }[] = [];
    let broken: unknown;
    for (const job of group) {
      try {
        this.#conn.run("SAVEPOINT job");
      } catch (err) {
        broken = err;
        break;
      }
      try {
        const value = await job.run(new SqliteTx(this.#conn, 1));
        this.#conn.run("RELEASE job");
        outcomes.push({ ok: true, value });
      } catch (err) {
        outcomes.push({ ok: false, value: err });
        try {
          this.#conn.run("ROLLBACK TO job");
          this.#conn.run("RELEASE job");
        } catch (rollbackErr) {
          // The transaction itself is gone (e.g. SQLITE_FULL): nothing of the group can be kept.
          broken = rollbackErr;
          break;
        }
      }
    }
    if (broken === undefined) {
      try {
        this.#conn.run("COMMIT");
      } catch (err) {
        broken = err;
      }
    }
    if (broken !== undefined) {
      try {
        this.#conn.raw("ROLLBACK");
      } catch { /* already rolled back by SQLite */ }
      // A job that failed on its own keeps its own error; the others lost their writes with the group.
      group.forEach((job, i) => job.reject(outcomes[i]?.ok === false ? outcomes[i].value : broken));
      return;
    }
    group.forEach((job, i) =>
      outcomes[i].ok ? job.resolve(outcomes[i].value) : job.reject(outcomes[i].value)
    );
  }

  async close(): Promise<void> {
    while (this.#running) await this.#drained;
    if (this.#closed) return;
    this.#closed = true;
    this.#conn.close();
  }
}

/** Opens (creating if needed, 0600 in a 0700 directory) the SQLite file with WAL and a busy timeout. */
export async function openSqlite(options: SqliteOptions): Promise<Db> {
  const onDisk = options.path !== ":memory:";
  if (onDisk) await preparePrivateFile(options.path);
  const db = new DatabaseSync(options.path);
  // Waiting for other writers happens asynchronously in whenUnlocked(), never inside SQLite.
  db.exec("PRAGMA busy_timeout = 0");
  if (onDisk) {
    await whenUnlocked(() => db.exec("PRAGMA journal_mode = WAL"), options.busyTimeoutMs);
    await tightenSqliteSidecars(options.path);
  }
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = OFF");
  return new SqliteDb(new Connection(db, slowQueryLog(options.slowQueryMs, "sqlite")), options.busyTimeoutMs);
}
