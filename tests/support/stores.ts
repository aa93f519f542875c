/**
 * Runs one test body against both drivers: a fresh SQLite file and a fresh PostgreSQL database.
 * `open()` gives another, independent connection to the same store (a "second process" or a restart).
 */
import type { Db } from "../../store/db.ts";
import { openSqlite } from "../../store/sqlite.ts";
import { openPostgres } from "../../store/postgres.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { createTempDatabase, postgresServerUrl } from "./postgres.ts";

export const testSecrets = { sessionSecret: "s".repeat(32), cryptoSecret: "c".repeat(32) };

export interface StoreFixture {
  kind: "sqlite" | "postgres";
  /** Opens a new connection to the same store, unmigrated. */
  open(): Promise<Db>;
  /** Opens a new connection and runs the real schema sync and migrations. */
  openMigrated(): Promise<Db>;
}

async function sqliteFixture<T>(fn: (f: StoreFixture) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "napi_store_" });
  const path = `${dir}/test.db`;
  const open = () => openSqlite({ path, busyTimeoutMs: 10000 });
  try {
    return await fn({
      kind: "sqlite",
      open,
      openMigrated: async () => {
        const db = await open();
        await migrate(db, allTables, migrations, { secrets: testSecrets });
        return db;
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function postgresFixture<T>(fn: (f: StoreFixture) => Promise<T>): Promise<T> {
  const temp = await createTempDatabase();
  const open = () =>
    openPostgres({ url: temp.url, max: 10, maxLifetimeSeconds: 60, connectTimeoutSeconds: 5 });
  try {
    return await fn({
      kind: "postgres",
      open,
      openMigrated: async () => {
        const db = await open();
        await migrate(db, allTables, migrations, { secrets: testSecrets });
        return db;
      },
    });
  } finally {
    await temp.drop();
  }
}

/** Registers `name [sqlite]` and `name [postgres]`. */
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
}
