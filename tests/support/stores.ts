/**
 * Runs one test body against every driver: a fresh SQLite file, a fresh PostgreSQL database and a fresh
 * MySQL/MariaDB database. `open()` gives another, independent connection to the same store (a "second
 * process" or a restart).
 */
import type { Db } from "../../store/db.ts";
import { openSqlite } from "../../store/sqlite.ts";
import { openPostgres } from "../../store/postgres.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { openMysql } from "../../store/mysql.ts";
import { createTempDatabase, migratedPostgresTemplate, postgresServerUrl } from "./postgres.ts";
import {
  copyTemplate,
  createTempMysqlDatabase,
  isEmptyDatabase,
  migratedTemplate,
  mysqlDatabaseUrl,
  mysqlServerUrl,
} from "./mysql.ts";

/** Where another process opens the store `db` is connected to: a database URL, or the SQLite file. */
export async function storeLocation(s: Pick<StoreFixture, "kind">, db: Db): Promise<string> {
  if (s.kind === "postgres") {
    const [row] = await db.query<{ d: string }>("SELECT current_database() AS d");
    const url = new URL(Deno.env.get("TEST_POSTGRES_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres");
    url.pathname = `/${row.d}`;
    return url.toString();
  }
  if (s.kind === "mysql") {
    const [row] = await db.query<{ d: string }>("SELECT DATABASE() AS d");
    return mysqlDatabaseUrl(row.d);
  }
  const [row] = await db.query<{ file: string }>("SELECT file FROM pragma_database_list WHERE name = 'main'");
  return row.file;
}

export const testSecrets = { sessionSecret: "s".repeat(32), cryptoSecret: "c".repeat(32) };

export interface StoreFixture {
  kind: "sqlite" | "postgres" | "mysql";
  /** Opens a new connection to the same store, unmigrated. */
  open(): Promise<Db>;
  /** Opens a new connection and runs the real schema sync and migrations. */
  openMigrated(): Promise<Db>;
}

/**
 * A fixture over `open`, whose `openMigrated` also runs the real schema sync and migrations (after
 * `prepare`, which may lay down an already migrated schema for that run to find up to date).
 */
function fixture(
  kind: StoreFixture["kind"],
  open: () => Promise<Db>,
  prepare?: () => Promise<void>,
): StoreFixture {
  return {
    kind,
    open,
    openMigrated: async () => {
      await prepare?.();
      const db = await open();
      await migrate(db, allTables, migrations, { secrets: testSecrets });
      return db;
    },
  };
}

/** Opens a MySQL store on `dsn` with the pool the tests use. */
export function openTestMysql(dsn: string): Promise<Db> {
  return openMysql({ dsn, max: 10, maxLifetimeSeconds: 60, connectTimeoutSeconds: 5 });
}

/** A fresh MySQL database; the first `openMigrated` copies the migrated template into it while it is empty. */
async function mysqlFixture<T>(fn: (f: StoreFixture) => Promise<T>): Promise<T> {
  const temp = await createTempMysqlDatabase();
  try {
    return await fn(fixture("mysql", () => openTestMysql(temp.url), async () => {
      if (await isEmptyDatabase(temp.name)) {
        await copyTemplate(await migratedTemplate((url) => migrateInto(() => openTestMysql(url))), temp.name);
      }
    }));
  } finally {
    await temp.drop();
  }
}

export async function sqliteFixture<T>(fn: (f: StoreFixture) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "napi_store_" });
  try {
    return await fn(fixture("sqlite", () => openSqlite({ path: `${dir}/test.db`, busyTimeoutMs: 10000 })));
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function openTestPostgres(url: string): Promise<Db> {
  return openPostgres({ url, max: 10, maxLifetimeSeconds: 60, connectTimeoutSeconds: 5 });
}

async function migrateInto(open: () => Promise<Db>): Promise<void> {
  const db = await open();
  try {
    await migrate(db, allTables, migrations, { secrets: testSecrets });
  } finally {
    await db.close();
  }
}

/**
 * A PostgreSQL database made on first use: a copy of the migrated template when that first use is
 * `openMigrated` (CREATE DATABASE ... TEMPLATE takes milliseconds, migrating takes most of a second),
 * empty when it is `open` (tests that lay down an older schema themselves).
 */
async function postgresFixture<T>(fn: (f: StoreFixture) => Promise<T>): Promise<T> {
  let temp: Promise<{ url: string; drop: () => Promise<void> }> | undefined;
  const made = (migrated: boolean) =>
    temp ??= (async () =>
      createTempDatabase(
        migrated
          ? await migratedPostgresTemplate((url) => migrateInto(() => openTestPostgres(url)))
          : undefined,
      ))();
  try {
    return await fn(fixture(
      "postgres",
      async () => openTestPostgres((await made(false)).url),
      async () => void await made(true),
    ));
  } finally {
    await temp?.then((t) => t.drop(), () => {});
  }
}

/** Registers `name [sqlite]`, `name [postgres]` and `name [mysql]`. */
export function storeTest(name: string, fn: (f: StoreFixture) => Promise<void>): void {
  Deno.test({
    name: `${name} [sqlite]`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => sqliteFixture(fn),
  });
  Deno.test({
    name: `${name} [postgres]`,
    ignore: !postgresServerUrl,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => postgresFixture(fn),
  });
  Deno.test({
    name: `${name} [mysql]`,
    ignore: !mysqlServerUrl,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => mysqlFixture(fn),
  });
}

/** Registers `name [postgres]` and `name [mysql]`: the stores several instances share. */
export function sharedStoreTest(name: string, fn: (f: StoreFixture) => Promise<void>): void {
  Deno.test({
    name: `${name} [postgres]`,
    ignore: !postgresServerUrl,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => postgresFixture(fn),
  });
  Deno.test({
    name: `${name} [mysql]`,
    ignore: !mysqlServerUrl,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => mysqlFixture(fn),
  });
}
