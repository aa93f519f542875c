/**
 * `two_fas`, `two_fa_backup_codes` and `passkey_credentials` keep their times as Go `time.Time` in New
 * API, so GORM makes them datetime (SQLite), timestamptz (PostgreSQL) and datetime(3) (MySQL); earlier
 * versions of this gateway made them integers of Unix seconds, which New API cannot scan after a
 * rollback. Each such column still an integer becomes the datetime type, its values converted in UTC; 0
 * ("never") becomes NULL, what GORM writes for an unset `*time.Time`. Columns already datetimes (an
 * adopted New API database) are left alone.
 */
import type { Db } from "../db.ts";
import type { Migration } from "../migrate.ts";
import { newApiFeatureTables } from "../schema/new_api_features.ts";
import { createIndexSql, createTableSql, quoteIdent, type Table } from "../schema/table.ts";

const TIME_COLUMNS: Record<string, string[]> = {
  two_fas: ["locked_until", "last_used_at", "created_at", "updated_at"],
  two_fa_backup_codes: ["used_at", "created_at"],
  passkey_credentials: ["last_used_at", "created_at", "updated_at"],
};

const TYPES_SQL = {
  postgres: `SELECT column_name AS c, data_type AS k FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ?`,
  mysql: `SELECT column_name AS c, data_type AS k FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = ?`,
  sqlite: "SELECT name AS c, type AS k FROM pragma_table_info(?)",
};

/** Column name → declared type of `table` (empty when there is no such table). */
export async function columnTypes(tx: Db, table: string): Promise<Map<string, string>> {
  const rows = await tx.query<{ c: string; k: string }>(TYPES_SQL[tx.dialect], [table]);
  return new Map(rows.map((r) => [String(r.c), String(r.k).toLowerCase()]));
}

const isInteger = (type: string) => /int|numeric|decimal/.test(type);

export const twoFaPasskeyDatetimes: Migration = {
  id: "0007_two_fa_passkey_datetimes",
  async up(tx) {
    for (const [table, wanted] of Object.entries(TIME_COLUMNS)) {
      const types = await columnTypes(tx, table);
      const integers = wanted.filter((c) => isInteger(types.get(c) ?? ""));
      if (integers.length === 0) continue;
      if (tx.dialect === "postgres") await convertPostgres(tx, table, integers);
      else if (tx.dialect === "mysql") await convertMysql(tx, table, integers);
      else await rebuildSqlite(tx, declared(table), types, integers);
    }
  },
};

function declared(name: string): Table {
  return newApiFeatureTables.find((t) => t.name === name)!;
}

async function convertPostgres(tx: Db, table: string, columns: string[]) {
  for (const c of columns) {
    const q = quoteIdent(c);
    await tx.exec(`ALTER TABLE ${quoteIdent(table)} ALTER COLUMN ${q} DROP DEFAULT`);
    await tx.exec(`ALTER TABLE ${quoteIdent(table)} ALTER COLUMN ${q} DROP NOT NULL`);
    await tx.exec(
      `ALTER TABLE ${quoteIdent(table)} ALTER COLUMN ${q} TYPE timestamptz
       USING CASE WHEN ${q} > 0 THEN to_timestamp(${q}) END`,
    );
  }
}

/** MySQL cannot cast seconds to datetime in place: a new column takes the values, then the old one's name. */
async function convertMysql(tx: Db, table: string, columns: string[]) {
  const t = quoteIdent(table);
  for (const c of columns) {
    const q = quoteIdent(c);
    const tmp = quoteIdent(`${c}__datetime`);
    await tx.exec(`ALTER TABLE ${t} ADD COLUMN ${tmp} datetime(3) NULL`);
    // Independent of the session time zone, unlike FROM_UNIXTIME.
    await tx.exec(
      `UPDATE ${t} SET ${tmp} = CASE WHEN ${q} > 0 THEN TIMESTAMPADD(SECOND, ${q}, '1970-01-01 00:00:00') END`,
    );
    await tx.exec(`ALTER TABLE ${t} DROP COLUMN ${q}`);
    await tx.exec(`ALTER TABLE ${t} CHANGE COLUMN ${tmp} ${q} datetime(3) NULL`);
  }
}

/**
 * SQLite cannot change a column's type: the table is made again from its declaration (plus any column
 * it has beyond that), the rows copied with seconds written as this gateway writes timestamps there
 * (ISO 8601 in UTC), the old table dropped and the indexes made again.
 */
async function rebuildSqlite(tx: Db, table: Table, types: Map<string, string>, integers: string[]) {
  const old = `${table.name}__integer_times`;
  const known = new Set(table.columns.map((c) => c.name));
  const extra = [...types.keys()].filter((c) => !known.has(c));
  await tx.exec(`ALTER TABLE ${quoteIdent(table.name)} RENAME TO ${quoteIdent(old)}`);
  await tx.exec(createTableSql(table, "sqlite"));
  for (const c of extra) {
    await tx.exec(`ALTER TABLE ${quoteIdent(table.name)} ADD COLUMN ${quoteIdent(c)} ${types.get(c) || ""}`);
  }
  const copied = [...table.columns.map((c) => c.name).filter((c) => types.has(c)), ...extra];
  const values = copied.map((c) =>
    integers.includes(c)
      ? `CASE WHEN ${quoteIdent(c)} > 0 THEN strftime('%Y-%m-%dT%H:%M:%fZ', ${
        quoteIdent(c)
      }, 'unixepoch') END`
      : quoteIdent(c)
  );
  await tx.exec(
    `INSERT INTO ${quoteIdent(table.name)} (${copied.map(quoteIdent).join(", ")})
     SELECT ${values.join(", ")} FROM ${quoteIdent(old)}`,
  );
  await tx.exec(`DROP TABLE ${quoteIdent(old)}`);
  for (const index of table.indexes ?? []) await tx.exec(createIndexSql(table, index, "sqlite"));
}
