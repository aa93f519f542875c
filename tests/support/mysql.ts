/**
 * Throwaway MySQL/MariaDB databases for tests. TEST_MYSQL_URL names a server (mysql://user:pass@host:port);
 * without it mysql://root@127.0.0.1:3306 is tried. Under CI=true a missing server is an error, never a skip.
 * Migrating the whole schema takes about 0.5 s on MariaDB, so it is done once per schema into a template
 * database (named by schema_hash.ts) and copied table by table (CREATE TABLE ... LIKE, about 0.15 s).
 */
import mysql from "mysql2/promise";
import { schemaHash } from "./schema_hash.ts";

const inCi = Deno.env.get("CI") === "true";

function connectionOf(url: string, database?: string): mysql.ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username) || "root",
    password: decodeURIComponent(u.password),
    database,
    connectTimeout: 3000,
    multipleStatements: false,
  };
}

async function reachable(url: string): Promise<boolean> {
  try {
    const conn = await mysql.createConnection(connectionOf(url));
    await conn.end();
    return true;
  } catch {
    return false;
  }
}

async function detect(): Promise<string | undefined> {
  const url = Deno.env.get("TEST_MYSQL_URL") || "mysql://root@127.0.0.1:3306";
  if (await reachable(url)) return url;
  if (inCi) throw new Error(`CI=true but no MySQL/MariaDB answers at ${url}; set TEST_MYSQL_URL`);
  return undefined;
}

/** A server URL when MySQL/MariaDB is available; undefined (tests are ignored) only outside CI. */
export const mysqlServerUrl: string | undefined = await detect();

async function admin<T>(fn: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection(connectionOf(mysqlServerUrl!));
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

/** The URL of database `name` on the test server. */
export function mysqlDatabaseUrl(name: string): string {
  const url = new URL(mysqlServerUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Database `name` on the test server written the way New API's docker-compose writes SQL_DSN. */
export function mysqlGoDsn(name: string, params = "parseTime=true"): string {
  const u = new URL(mysqlServerUrl!);
  const cred = `${decodeURIComponent(u.username) || "root"}${
    u.password ? `:${decodeURIComponent(u.password)}` : ""
  }`;
  return `${cred}@tcp(${u.hostname}:${u.port || 3306})/${name}?${params}`;
}

/** Creates an empty utf8mb4 database, returns its URL, and drops it when `drop` is called. */
export async function createTempMysqlDatabase(): Promise<
  { name: string; url: string; drop: () => Promise<void> }
> {
  if (!mysqlServerUrl) throw new Error("MySQL is not available");
  const name = `napi_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await admin((c) => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`));
  return {
    name,
    url: mysqlDatabaseUrl(name),
    drop: () => admin(async (c) => void await c.query(`DROP DATABASE IF EXISTS \`${name}\``)),
  };
}

interface Template {
  name: string;
  tables: string[];
  /** Tables the migrations put rows in (schema_migrations at least): copied with their rows. */
  withRows: string[];
}

let template: Promise<Template> | undefined;

/**
 * The migrated template database for the current schema, built by `migrateInto` the first time (and
 * kept on the server for later runs; a concurrent builder is waited for through a named lock). Templates
 * of other schemas and test databases left behind by killed runs are dropped once more than a day old.
 */
export function migratedTemplate(migrateInto: (url: string) => Promise<void>): Promise<Template> {
  template ??= (async () => {
    const name = `napi_tpl_${await schemaHash()}`;
    return await admin(async (c) => {
      await c.query("SELECT GET_LOCK(?, 120)", [name]);
      try {
        const [done] = await c.query(
          "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = 'template_ready'",
          [name],
        ) as [unknown[], unknown];
        if (done.length === 0) {
          await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
          await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
          await migrateInto(mysqlDatabaseUrl(name));
          await c.query(`CREATE TABLE \`${name}\`.template_ready (id int)`);
        }
        const [rows] = await c.query(
          "SELECT table_name AS t, table_rows AS n FROM information_schema.tables WHERE table_schema = ? AND table_name <> 'template_ready'",
          [name],
        ) as [{ t: string }[], unknown];
        const tables = rows.map((r) => r.t);
        const withRows: string[] = [];
        for (const t of tables) {
          const [[row]] = await c.query(`SELECT COUNT(*) AS n FROM \`${name}\`.\`${t}\``) as [
            { n: number }[],
            unknown,
          ];
          if (Number(row.n) > 0) withRows.push(t);
        }
        await dropStale(c, name);
        return { name, tables, withRows };
      } finally {
        await c.query("SELECT RELEASE_LOCK(?)", [name]);
      }
    });
  })();
  template.catch(() => template = undefined);
  return template;
}

const STALE_DAYS = 1;

async function dropStale(c: mysql.Connection, keep: string): Promise<void> {
  const [rows] = await c.query(
    `SELECT table_schema AS s FROM information_schema.tables
     WHERE (table_schema LIKE 'napi\\_tpl\\_%' OR table_schema LIKE 'napi\\_test\\_%') AND table_schema <> ?
     GROUP BY table_schema HAVING MAX(create_time) < NOW() - INTERVAL ? DAY`,
    [keep, STALE_DAYS],
  ) as [{ s: string }[], unknown];
  for (const { s } of rows) await c.query(`DROP DATABASE IF EXISTS \`${s}\``).catch(() => {});
}

/** Copies the template's tables (and the rows the migrations wrote) into the empty database `into`. */
export async function copyTemplate(tpl: Template, into: string): Promise<void> {
  await admin(async (c) => {
    for (const t of tpl.tables) {
      await c.query(`CREATE TABLE \`${into}\`.\`${t}\` LIKE \`${tpl.name}\`.\`${t}\``);
    }
    for (const t of tpl.withRows) {
      await c.query(`INSERT INTO \`${into}\`.\`${t}\` SELECT * FROM \`${tpl.name}\`.\`${t}\``);
    }
  });
}

/** True when database `name` has no tables yet. */
export async function isEmptyDatabase(name: string): Promise<boolean> {
  return await admin(async (c) => {
    const [rows] = await c.query("SELECT 1 FROM information_schema.tables WHERE table_schema = ? LIMIT 1", [
      name,
    ]) as [
      unknown[],
      unknown,
    ];
    return rows.length === 0;
  });
}

/** Runs `fn` with a fresh empty database's name and drops the database afterwards. */
export async function withTempMysqlDatabase<T>(fn: (name: string) => Promise<T>): Promise<T> {
  const temp = await createTempMysqlDatabase();
  try {
    return await fn(temp.name);
  } finally {
    await temp.drop();
  }
}
