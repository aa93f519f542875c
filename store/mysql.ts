/**
 * MySQL/MariaDB driver through mysql2: a pool whose sessions run with ANSI_QUOTES and PIPES_AS_CONCAT (so
 * the repositories' `"group"` and `||` mean what they mean on PostgreSQL) at READ COMMITTED, `?`
 * placeholders through server-side prepared statements, nested transactions as savepoints, and named
 * locks (GET_LOCK) held until the outer transaction ends.
 */
import mysql from "mysql2/promise";
import type { Pool, PoolConnection, ResultSetHeader, TypeCastField } from "mysql2/promise";
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
import { describeMysqlDsn, parseMysqlDsn } from "./mysql_dsn.ts";

export interface MysqlOptions {
  /** New API's Go DSN form or a mysql:// URL. */
  dsn: string;
  max: number;
  /** Not applied: mysql2's pool has no connection lifetime; idle connections close after 30 s. */
  maxLifetimeSeconds: number;
  connectTimeoutSeconds: number;
  /** SQL_SLOW_THRESHOLD_MS; unset or 0: off. */
  slowQueryMs?: number;
}

/** Appended to the server's sql_mode on every pooled session. */
const SESSION_SQL_MODE = "ANSI_QUOTES,PIPES_AS_CONCAT,NO_BACKSLASH_ESCAPES";
/** How long a named lock is waited for before the transaction fails. */
const LOCK_WAIT_SECONDS = 60;

const ER_DUP_ENTRY = 1062;
const ER_DUP_ENTRY_WITH_KEY_NAME = 1586;

function translateError(err: unknown): unknown {
  const errno = (err as { errno?: number })?.errno;
  if (errno === ER_DUP_ENTRY || errno === ER_DUP_ENTRY_WITH_KEY_NAME) {
    return new UniqueViolation((err as Error).message);
  }
  return err;
}

function bind(values: readonly SqlValue[] | undefined): unknown[] {
  return (values ?? []).map((v) => v === true ? 1 : v === false ? 0 : v === undefined ? null : v);
}

/** JSON columns (MySQL 8) are read as text, like every other store; the repositories parse them. */
function typeCast(field: TypeCastField, next: () => unknown): unknown {
  if (field.type === "JSON") return field.string("utf8");
  return next();
}

type Runner = Pick<PoolConnection, "execute" | "query">;

/** Runs one statement; parameterless statements use the text protocol (DDL, SET, SAVEPOINT cannot be prepared everywhere). */
async function run(
  conn: Runner,
  sql: string,
  values: readonly SqlValue[] | undefined,
  slow: SlowQueryLog | undefined,
): Promise<Row[] | ResultSetHeader> {
  const started = performance.now();
  try {
    const [result] = values && values.length > 0
      ? await conn.execute(sql, bind(values) as never)
      : await conn.query(sql);
    return result as Row[] | ResultSetHeader;
  } catch (err) {
    throw translateError(err);
  } finally {
    noteSlow(slow, sql, started);
  }
}

function rowsOf(result: Row[] | ResultSetHeader): Row[] {
  // A statement that returns no result set (UPDATE, INSERT without RETURNING) has no rows.
  return Array.isArray(result) ? result.map((r) => ({ ...r })) : [];
}

function execResultOf(result: Row[] | ResultSetHeader): ExecResult {
  if (Array.isArray(result)) return { changes: result.length };
  return { changes: result.affectedRows ?? 0, lastInsertId: Number(result.insertId ?? 0) };
}

/** One transaction on its own connection; `depth` 0 is the outer transaction. */
/** Statements after which MySQL has committed on its own (DDL ends the transaction it ran in). */
const IMPLICIT_COMMIT = /^\s*(CREATE(?!\s+TEMPORARY)|ALTER|DROP|RENAME|TRUNCATE)\b/i;

class MysqlTx implements Db {
  readonly dialect = "mysql" as const;
  constructor(
    private readonly conn: PoolConnection,
    private readonly state: { locks: boolean; slow: SlowQueryLog | undefined },
    private readonly depth: number,
  ) {}
  async query<T = Row>(sql: string, values?: readonly SqlValue[]): Promise<T[]> {
    return rowsOf(await this.#run(sql, values)) as T[];
  }
  async exec(sql: string, values?: readonly SqlValue[]): Promise<ExecResult> {
    return execResultOf(await this.#run(sql, values));
  }
  /**
   * DDL commits what came before it and leaves the session in autocommit: a new transaction is begun at
   * once so that the statements after it (a migration's data changes) still roll back together.
   */
  async #run(sql: string, values?: readonly SqlValue[]): Promise<Row[] | ResultSetHeader> {
    if (!IMPLICIT_COMMIT.test(sql)) return await run(this.conn, sql, values, this.state.slow);
    try {
      return await run(this.conn, sql, values, this.state.slow);
    } finally {
      await this.conn.query("START TRANSACTION");
    }
  }
  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const name = `sp${this.depth + 1}`;
    await this.conn.query(`SAVEPOINT ${name}`);
    try {
      const result = await fn(new MysqlTx(this.conn, this.state, this.depth + 1));
      await this.conn.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await this.conn.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw err;
    }
  }
  async holdLock(key: number): Promise<void> {
    const [rows] = await this.conn.query("SELECT GET_LOCK(?, ?) AS got", [
      `newapi-deno:${key}`,
      LOCK_WAIT_SECONDS,
    ]);
    if (Number((rows as Row[])[0]?.got) !== 1) throw new Error(`timed out waiting for lock ${key}`);
    this.state.locks = true;
  }
  close(): Promise<void> {
    return Promise.reject(new Error("cannot close the store from inside a transaction"));
  }
}

class MysqlDb implements Db {
  readonly dialect = "mysql" as const;
  constructor(readonly pool: Pool, private readonly slow: SlowQueryLog | undefined) {}
  async query<T = Row>(sql: string, values?: readonly SqlValue[]): Promise<T[]> {
    return rowsOf(await run(this.pool, sql, values, this.slow)) as T[];
  }
  async exec(sql: string, values?: readonly SqlValue[]): Promise<ExecResult> {
    return execResultOf(await run(this.pool, sql, values, this.slow));
  }
  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const conn = await this.pool.getConnection();
    const state = { locks: false, slow: this.slow };
    let healthy = true;
    try {
      await conn.query("START TRANSACTION");
      try {
        const result = await fn(new MysqlTx(conn, state, 0));
        await conn.query("COMMIT");
        return result;
      } catch (err) {
        await conn.query("ROLLBACK").catch(() => healthy = false);
        throw translateError(err);
      }
    } finally {
      if (state.locks) await conn.query("DO RELEASE_ALL_LOCKS()").catch(() => healthy = false);
      // A connection whose rollback or unlock failed may still hold a transaction or a lock: drop it.
      if (healthy) conn.release();
      else conn.destroy();
    }
  }
  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Opens a pool and proves the server answers; throws with a password-free message when it does not. */
export async function openMysql(options: MysqlOptions): Promise<Db & { pool: Pool }> {
  const c = parseMysqlDsn(options.dsn);
  const pool = mysql.createPool({
    user: c.user,
    password: c.password,
    ...(c.socketPath ? { socketPath: c.socketPath } : { host: c.host, port: c.port }),
    database: c.database,
    charset: c.charset ?? "utf8mb4",
    timezone: c.timezone,
    ssl: c.tls ? {} : undefined,
    connectionLimit: options.max,
    maxIdle: Math.min(options.max, 10),
    idleTimeout: 30_000,
    connectTimeout: options.connectTimeoutSeconds * 1000,
    // mysql2 counts matched rows for UPDATE (FOUND_ROWS), as PostgreSQL and SQLite do.
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    dateStrings: true,
    maxPreparedStatements: 256,
    typeCast,
  });
  // Every new session gets the modes the shared SQL relies on, before any statement of ours runs on it.
  pool.pool.on("connection", (conn) => {
    conn.query(`SET SESSION sql_mode = CONCAT(@@sql_mode, ',${SESSION_SQL_MODE}')`);
    conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
  });
  try {
    await pool.query("SELECT 1");
  } catch (err) {
    await pool.end().catch(() => {});
    const reason = (err as { code?: string; message?: string }).code ?? (err as Error).message;
    throw new Error(`SQL_DSN: cannot connect to MySQL at ${describeMysqlDsn(c)} (${reason})`);
  }
  return new MysqlDb(pool, slowQueryLog(options.slowQueryMs, "mysql"));
}
