/**
 * Throwaway PostgreSQL databases for tests. TEST_POSTGRES_URL names a server (any database on it);
 * without it the local server on 127.0.0.1:5432 is tried. Under CI=true a missing server is an error,
 * never a skip.
 */
import postgres from "postgres";
import { schemaHash } from "./schema_hash.ts";

const inCi = Deno.env.get("CI") === "true";

async function reachable(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

async function detect(): Promise<string | undefined> {
  const configured = Deno.env.get("TEST_POSTGRES_URL");
  const candidates = configured ? [configured] : [
    "postgres://postgres@127.0.0.1:5432/postgres",
    "postgres://root@127.0.0.1:5432/postgres",
  ];
  for (const url of candidates) {
    if (await reachable(url)) return url;
  }
  if (inCi) {
    throw new Error(`CI=true but no PostgreSQL answers at ${candidates.join(" or ")}; set TEST_POSTGRES_URL`);
  }
  return undefined;
}

/** A server URL when PostgreSQL is available; undefined (tests are ignored) only outside CI. */
export const postgresServerUrl: string | undefined = await detect();

function databaseUrl(name: string): string {
  const url = new URL(postgresServerUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(postgresServerUrl!, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/**
 * Runs `statement`, retrying while the source database still shows a session (55006: a connection that was
 * just closed can linger on the server for a moment, and CREATE DATABASE ... TEMPLATE needs none).
 */
async function whileInUse(sql: postgres.Sql, statement: string): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      await sql.unsafe(statement);
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== "55006" || attempt >= 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** When the databases this helper creates were made, so that a later run can drop those left behind. */
const stamp = () => `napi test ${Date.now()}`;
const STALE_MS = 24 * 3600 * 1000;

/**
 * Creates a database (empty, or a copy of the database `template`), returns its URL, and drops it when
 * `drop` is called.
 */
export async function createTempDatabase(
  template?: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!postgresServerUrl) throw new Error("PostgreSQL is not available");
  const name = `napi_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await withAdmin(async (sql) => {
    await whileInUse(sql, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}`);
    await sql.unsafe(`COMMENT ON DATABASE ${name} IS '${stamp()}'`);
  });
  return {
    url: databaseUrl(name),
    drop: () =>
      withAdmin(async (sql) => void await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** Arbitrary constant naming the lock under which one process builds the template while the others wait. */
const TEMPLATE_LOCK = 720_431_978;

let template: Promise<string> | undefined;

/**
 * The name of the migrated template database for the current schema (see schema_hash.ts), built by
 * `migrateInto` the first time and kept on the server for later runs. Concurrent test processes wait for
 * one builder through an advisory lock; builds go to a private name renamed into place when done, so a
 * process that does not share the lock (another admin database) cannot see a half-built template.
 * Templates and test databases left more than a day old (by other schemas, by killed runs) are dropped.
 */
export function migratedPostgresTemplate(migrateInto: (url: string) => Promise<void>): Promise<string> {
  template ??= withAdmin(async (sql) => {
    const name = `napi_tpl_${await schemaHash()}`;
    await sql`SELECT pg_advisory_lock(${TEMPLATE_LOCK})`;
    try {
      const found = await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`;
      if (found.length === 0) {
        const building = `${name}_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
        await sql.unsafe(`CREATE DATABASE ${building}`);
        await sql.unsafe(`COMMENT ON DATABASE ${building} IS '${stamp()}'`);
        try {
          await migrateInto(databaseUrl(building));
          await whileInUse(sql, `ALTER DATABASE ${building} RENAME TO ${name}`);
        } catch (e) {
          await sql.unsafe(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
          // 42P04: another process (under another lock) renamed its build into place first.
          if ((e as { code?: string }).code !== "42P04") throw e;
        }
      }
      await dropStale(sql, name);
    } finally {
      await sql`SELECT pg_advisory_unlock(${TEMPLATE_LOCK})`;
    }
    return name;
  });
  template.catch(() => template = undefined);
  return template;
}

async function dropStale(sql: postgres.Sql, keep: string): Promise<void> {
  const rows = await sql<{ name: string; note: string | null }[]>`
    SELECT datname AS name, shobj_description(oid, 'pg_database') AS note FROM pg_database
    WHERE (starts_with(datname, 'napi_tpl_') OR starts_with(datname, 'napi_test_')) AND datname <> ${keep}`;
  for (const { name, note } of rows) {
    const made = /^napi test (\d+)$/.exec(note ?? "")?.[1];
    if (!made || Date.now() - Number(made) < STALE_MS) continue;
    await sql.unsafe(`DROP DATABASE IF EXISTS ${name}`).catch(() => {});
  }
}

/** Runs `fn` with a fresh empty database's URL and drops the database afterwards. */
export async function withTempDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const temp = await createTempDatabase();
  try {
    return await fn(temp.url);
  } finally {
    await temp.drop();
  }
}
