/**
 * Brings a database up to date at start: migrations marked `beforeSchema` run first (they move aside what
 * would clash with the declared schema), the declarative schema is synced (missing tables, columns and
 * indexes are added), then the other numbered data migrations run once each. Everything happens in one transaction
 * under a lock, so two processes starting together migrate once and a failure leaves nothing half-done (on
 * MySQL, DDL commits implicitly: there the lock still holds, but a failure can leave added tables behind).
 */
import { type Db, lockTransaction } from "./db.ts";
import type { Secrets } from "../config/secrets.ts";
import { addColumnSql, createIndexSql, createTableSql, quoteIdent, type Table } from "./schema/table.ts";

export interface MigrationContext {
  secrets: Secrets;
}

export interface Migration {
  /** Sortable and unique, e.g. `0002_hash_token_keys`. */
  id: string;
  /** Runs before the schema sync (e.g. renaming a table whose name the schema gives to another). */
  beforeSchema?: boolean;
  up(tx: Db, ctx: MigrationContext): Promise<void>;
}

/** Arbitrary constant naming our migration lock (PostgreSQL advisory lock, MySQL named lock). */
const MIGRATION_LOCK = 720_431_977;

/** The columns of every table in the database, by table name. */
export async function existingColumns(tx: Db): Promise<Map<string, Set<string>>> {
  return groupByTable(await tx.query<{ t: string; c: string }>(COLUMNS_SQL[tx.dialect]));
}

const COLUMNS_SQL = {
  postgres:
    "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema()",
  mysql:
    "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()",
  sqlite:
    "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
};

/** Drops index `name` of `table` when there is one (MySQL has no DROP INDEX IF EXISTS and names it per table). */
export async function dropIndexIfExists(tx: Db, table: string, name: string): Promise<void> {
  if (tx.dialect !== "mysql") await tx.exec(`DROP INDEX IF EXISTS ${quoteIdent(name)}`);
  else if ((await existingIndexes(tx)).get(table)?.has(name)) {
    await tx.exec(`DROP INDEX ${quoteIdent(name)} ON ${quoteIdent(table)}`);
  }
}

/**
 * The index names of every table. Read on every dialect, not left to CREATE INDEX IF NOT EXISTS: on
 * PostgreSQL that statement takes a SHARE lock on its table before it finds the index there, so an instance
 * starting beside running ones would queue behind (and deadlock with) their billing batches.
 */
async function existingIndexes(tx: Db): Promise<Map<string, Set<string>>> {
  return groupByTable(await tx.query<{ t: string; c: string }>(INDEXES_SQL[tx.dialect]));
}

const INDEXES_SQL = {
  postgres: "SELECT tablename AS t, indexname AS c FROM pg_indexes WHERE schemaname = current_schema()",
  mysql:
    "SELECT DISTINCT table_name AS t, index_name AS c FROM information_schema.statistics WHERE table_schema = DATABASE()",
  sqlite: "SELECT tbl_name AS t, name AS c FROM sqlite_master WHERE type = 'index'",
};

function groupByTable(rows: { t: string; c: string }[]): Map<string, Set<string>> {
  const tables = new Map<string, Set<string>>();
  for (const { t, c } of rows) {
    if (!tables.has(t)) tables.set(t, new Set());
    tables.get(t)!.add(c);
  }
  return tables;
}

/** Creates what is missing of `tables`; never alters or drops what exists. Returns the statements run. */
export async function syncSchema(tx: Db, tables: readonly Table[]): Promise<string[]> {
  const ran: string[] = [];
  const run = async (sql: string) => {
    await tx.exec(sql);
    ran.push(sql);
  };
  const existing = await existingColumns(tx);
  const indexes = await existingIndexes(tx);
  for (const table of tables) {
    const have = existing.get(table.name);
    if (!have) {
      await run(createTableSql(table, tx.dialect));
    } else {
      for (const column of table.columns) {
        if (!have.has(column.name)) await run(addColumnSql(table, column, tx.dialect));
      }
    }
    for (const index of table.indexes ?? []) {
      if (!indexes.get(table.name)?.has(index.name)) await tx.exec(createIndexSql(table, index, tx.dialect));
    }
  }
  return ran;
}

/** Runs the schema sync and every pending migration, once, under a cross-process lock. */
export async function migrate(
  db: Db,
  tables: readonly Table[],
  migrations: readonly Migration[],
  ctx: MigrationContext,
): Promise<{ schemaChanges: number; applied: string[] }> {
  const ids = new Set<string>();
  for (const m of migrations) {
    if (ids.has(m.id)) throw new Error(`duplicate migration id ${m.id}`);
    ids.add(m.id);
  }
  return await db.transaction(async (tx) => {
    await lockTransaction(tx, MIGRATION_LOCK);
    await tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (id varchar(191) PRIMARY KEY, applied_at bigint NOT NULL)",
    );
    const done = new Set(
      (await tx.query<{ id: string }>("SELECT id FROM schema_migrations")).map((r) => r.id),
    );
    const applied: string[] = [];
    const runPending = async (phase: Migration[]) => {
      for (const m of phase.sort((a, b) => a.id.localeCompare(b.id))) {
        if (done.has(m.id)) continue;
        await m.up(tx, ctx);
        await tx.exec("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", [
          m.id,
          Math.floor(Date.now() / 1000),
        ]);
        applied.push(m.id);
      }
    };
    await runPending(migrations.filter((m) => m.beforeSchema));
    const changes = await syncSchema(tx, tables);
    await runPending(migrations.filter((m) => !m.beforeSchema));
    return { schemaChanges: changes.length, applied };
  });
}
