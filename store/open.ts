/**
 * Opens the stores the configuration names and brings their schema up to date: the main store, and the
 * log database (New API's LOG_SQL_DSN), which is the main store itself unless a separate one is set.
 */
import type { Config, StoreKind } from "../config/env.ts";
import type { Secrets } from "../config/secrets.ts";
import type { Db } from "./db.ts";
import { openSqlite } from "./sqlite.ts";
import { openPostgres } from "./postgres.ts";
import { openMysql } from "./mysql.ts";
import { migrate } from "./migrate.ts";
import { allTables, logTables } from "./schema/index.ts";
import { migrations } from "./migrations/index.ts";

async function openDb(config: Config, kind: StoreKind, dsn: string | undefined): Promise<Db> {
  const pool = {
    max: config.sqlMaxOpenConns,
    maxLifetimeSeconds: config.sqlMaxLifetimeSeconds,
    connectTimeoutSeconds: config.sqlConnectTimeoutSeconds,
    slowQueryMs: config.sqlSlowThresholdMs,
  };
  if (kind === "postgres") return await openPostgres({ url: dsn!, ...pool });
  if (kind === "mysql") return await openMysql({ dsn: dsn!, ...pool });
  return await openSqlite({
    path: config.sqlitePath,
    busyTimeoutMs: config.sqliteBusyTimeoutMs,
    slowQueryMs: config.sqlSlowThresholdMs,
  });
}

export async function openStore(config: Config): Promise<Db> {
  return await openDb(config, config.store, config.sqlDsn);
}

async function migrated(db: Db, run: (db: Db) => Promise<unknown>): Promise<Db> {
  try {
    await run(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}

/** Opens the store and migrates it; closes it again if migration fails. */
export async function openMigratedStore(config: Config, secrets: Secrets): Promise<Db> {
  return await migrated(await openStore(config), (db) => migrate(db, allTables, migrations, { secrets }));
}

/**
 * The log database: `main` when LOG_SQL_DSN is unset (or names the main store), else its own connection
 * with only the log tables synced (as New API migrates only `logs` into LOG_DB). The main store keeps its
 * own, unused, `logs` table, as New API's does.
 */
export async function openMigratedLogStore(config: Config, secrets: Secrets, main: Db): Promise<Db> {
  return config.logStore ? await openMigratedLogDatabase(config, secrets) : main;
}

/** The separate log database LOG_SQL_DSN names, opened and migrated (its log tables only). */
export async function openMigratedLogDatabase(config: Config, secrets: Secrets): Promise<Db> {
  if (!config.logStore) throw new Error("LOG_SQL_DSN is not set: the logs live in the main store");
  const db = await openDb(config, config.logStore.kind, config.logStore.dsn);
  return await migrated(db, (db) => migrate(db, logTables, [], { secrets }));
}
