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

/** A fixture over `open`, whose `openMigrated` also runs the real schema sync and migrations. */
function fixture(kind: StoreFixture["kind"], open: () => Promise<Db>): StoreFixture {
  return {
    kind,
    open,
    openMigrated: async () => {
      const db = await open();
      await migrate(db, allTables, migrations, { secrets: testSecrets });
      return db;
    },
  };
}

async function sqliteFixture<T>(fn: (f: StoreFixture) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "napi_store_" });
  try {
    return await fn(fixture("sqlite", () => openSqlite({ path: `${dir}/test.db`, busyTimeoutMs: 10000 })));
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function postgresFixture<T>(fn: (f: StoreFixture) => Promise<T>): Promise<T> {
  const temp = await createTempDatabase();
  try {
    return await fn(fixture(
      "postgres",
      () => openPostgres({ url: temp.url, max: 10, maxLifetimeSeconds: 60, connectTimeoutSeconds: 5 }),
    ));
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
