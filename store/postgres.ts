/**
 * PostgreSQL driver through postgres.js: a pool, `?` placeholders rewritten to `$n`, int8 and numeric
 * columns read as numbers (New API's quotas and ids fit in 2^53), nested transactions as savepoints.
 */
import postgres from "postgres";
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

export interface PostgresOptions {
  url: string;
  max: number;
  maxLifetimeSeconds: number;
  connectTimeoutSeconds: number;
  /** SQL_SLOW_THRESHOLD_MS; unset or 0: off. */
  slowQueryMs?: number;
}

// deno-lint-ignore no-explicit-any
type Sql = postgres.Sql<any>;
// deno-lint-ignore no-explicit-any
type TxSql = postgres.TransactionSql<any>;

const placeholderCache = new Map<string, string>();

/** Rewrites `?` placeholders to `$1..$n`, leaving quoted strings and identifiers alone. */
export function toPositional(sql: string): string {
  const cached = placeholderCache.get(sql);
  if (cached !== undefined) return cached;
  let out = "";
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === "?") {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  if (placeholderCache.size > 2000) placeholderCache.clear();
  placeholderCache.set(sql, out);
  return out;
}

function translateError(err: unknown): unknown {
  if ((err as { code?: string })?.code === "23505") return new UniqueViolation((err as Error).message);
  return err;
}

function params(values: readonly SqlValue[] | undefined): postgres.ParameterOrJSON<never>[] {
  return (values ?? []).map((v) => (v === undefined ? null : v)) as postgres.ParameterOrJSON<never>[];
}

/** Runs one statement on a pool or a transaction; returns its rows and the count of rows it changed. */
async function run(
  sql: Sql | TxSql,
  text: string,
  values: readonly SqlValue[] | undefined,
  slow: SlowQueryLog | undefined,
): Promise<{ rows: Row[]; count: number }> {
  const started = performance.now();
  try {
    const result = await sql.unsafe(toPositional(text), params(values), { prepare: true });
    return { rows: [...result], count: result.count ?? 0 };
  } catch (err) {
    throw translateError(err);
  } finally {
    noteSlow(slow, text, started);
  }
}

class PgTx implements Db {
  readonly dialect = "postgres" as const;
  constructor(private readonly sql: TxSql, private readonly slow: SlowQueryLog | undefined) {}
  async query<T = Row>(text: string, values?: readonly SqlValue[]): Promise<T[]> {
    return (await run(this.sql, text, values, this.slow)).rows as T[];
  }
  async exec(text: string, values?: readonly SqlValue[]): Promise<ExecResult> {
    return { changes: (await run(this.sql, text, values, this.slow)).count };
  }
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.sql.savepoint((sp) => fn(new PgTx(sp as TxSql, this.slow))) as Promise<T>;
  }
  close(): Promise<void> {
    return Promise.reject(new Error("cannot close the store from inside a transaction"));
  }
}

class PgDb implements Db {
  readonly dialect = "postgres" as const;
  constructor(readonly sql: Sql, private readonly slow: SlowQueryLog | undefined) {}
  async query<T = Row>(text: string, values?: readonly SqlValue[]): Promise<T[]> {
    return (await run(this.sql, text, values, this.slow)).rows as T[];
  }
  async exec(text: string, values?: readonly SqlValue[]): Promise<ExecResult> {
    return { changes: (await run(this.sql, text, values, this.slow)).count };
  }
  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    try {
      return await this.sql.begin((tx) => fn(new PgTx(tx, this.slow))) as T;
    } catch (err) {
      throw translateError(err);
    }
  }
  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
  async listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>> {
    const sub = await this.sql.listen(channel, onMessage);
    return () => sub.unlisten();
  }
  async notify(channel: string, payload: string): Promise<void> {
    await this.sql.notify(channel, payload);
  }
}

/** Describes where a DSN points without its password, for error messages. */
export function describeDsn(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || "localhost"}:${u.port || "5432"}${u.pathname || ""}`;
  } catch {
    return "(unparseable DSN)";
  }
}

/** Opens a pool and proves the server answers; throws with a password-free message when it does not. */
export async function openPostgres(options: PostgresOptions): Promise<Db & { sql: Sql }> {
  const sql = postgres(options.url, {
    max: options.max,
    max_lifetime: options.maxLifetimeSeconds || null,
    idle_timeout: 30,
    connect_timeout: options.connectTimeoutSeconds,
    onnotice: () => {},
    types: {
      int8: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
      numeric: {
        to: 1700,
        from: [1700],
        serialize: (x: number) => String(x),
        parse: (x: string) => Number(x),
      },
      // json/jsonb columns of an adopted New API database are read as text, like ours.
      json: { to: 114, from: [114, 3802], serialize: (x: string) => x, parse: (x: string) => x },
    },
    connection: { application_name: "newapi-deno" },
  });
  try {
    await sql`select 1`;
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    const reason = (err as { code?: string; message?: string }).code ?? (err as Error).message;
    throw new Error(`SQL_DSN: cannot connect to PostgreSQL at ${describeDsn(options.url)} (${reason})`);
  }
  return new PgDb(sql, slowQueryLog(options.slowQueryMs, "postgres"));
}
