/** Opens the store the configuration names and brings its schema up to date. */
import type { Config } from "../config/env.ts";
import type { Secrets } from "../config/secrets.ts";
import type { Db } from "./db.ts";
import { openSqlite } from "./sqlite.ts";
import { openPostgres } from "./postgres.ts";
import { openMysql } from "./mysql.ts";
import { migrate } from "./migrate.ts";
import { allTables } from "./schema/index.ts";
import { migrations } from "./migrations/index.ts";

export async function openStore(config: Config): Promise<Db> {
  if (config.store === "postgres") {
    return await openPostgres({
      url: config.sqlDsn!,
      max: config.sqlMaxOpenConns,
      maxLifetimeSeconds: config.sqlMaxLifetimeSeconds,
      connectTimeoutSeconds: config.sqlConnectTimeoutSeconds,
    });
  }
  if (config.store === "mysql") {
    return await openMysql({
      dsn: config.sqlDsn!,
      max: config.sqlMaxOpenConns,
      maxLifetimeSeconds: config.sqlMaxLifetimeSeconds,
      connectTimeoutSeconds: config.sqlConnectTimeoutSeconds,
    });
  }
  return await openSqlite({ path: config.sqlitePath, busyTimeoutMs: config.sqliteBusyTimeoutMs });
}

/** Opens the store and migrates it; closes it again if migration fails. */
export async function openMigratedStore(config: Config, secrets: Secrets): Promise<Db> {
  const db = await openStore(config);
  try {
    await migrate(db, allTables, migrations, { secrets });
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}
