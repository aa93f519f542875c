/**
 * A database's schema as comparable lines (`table.column type null default`, `index table.name unique
 * columns`), read from the catalog of each dialect, and the diff that says what an adoption changed.
 */
import type { Db } from "../../store/db.ts";

const COLUMNS = {
  sqlite:
    `SELECT m.name AS t, p.name AS c, lower(p.type) AS ty, p."notnull" AS nn, p.dflt_value AS df, p.pk AS pk
     FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name <> 'sqlite_sequence'`,
  postgres: `SELECT table_name AS t, column_name AS c,
       CASE WHEN character_maximum_length IS NULL THEN data_type ELSE data_type || '(' || character_maximum_length || ')' END AS ty,
       CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END AS nn, column_default AS df, 0 AS pk
     FROM information_schema.columns WHERE table_schema = current_schema()`,
  mysql:
    `SELECT table_name AS t, column_name AS c, column_type AS ty, CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END AS nn,
       column_default AS df, CASE column_key WHEN 'PRI' THEN 1 ELSE 0 END AS pk
     FROM information_schema.columns WHERE table_schema = DATABASE()`,
};

const INDEXES = {
  sqlite: `SELECT m.name AS t, il.name AS i, il."unique" AS u, group_concat(ii.name) AS cols
     FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii
     WHERE m.type = 'table' GROUP BY m.name, il.name, il."unique"`,
  postgres:
    `SELECT tablename AS t, indexname AS i, CASE WHEN indexdef LIKE 'CREATE UNIQUE%' THEN 1 ELSE 0 END AS u,
       substring(indexdef from '\\((.*)\\)') AS cols
     FROM pg_indexes WHERE schemaname = current_schema()`,
  mysql: `SELECT table_name AS t, index_name AS i, CASE non_unique WHEN 0 THEN 1 ELSE 0 END AS u,
       group_concat(column_name ORDER BY seq_in_index) AS cols
     FROM information_schema.statistics WHERE table_schema = DATABASE() GROUP BY table_name, index_name, non_unique`,
};

/** Every column and index of `db`, one line each, sorted. */
export async function dumpSchema(db: Db): Promise<string[]> {
  const cols = await db.query<Record<string, unknown>>(COLUMNS[db.dialect]);
  const idx = await db.query<Record<string, unknown>>(INDEXES[db.dialect]);
  return [
    ...cols.map((r) =>
      `column ${r.t}.${r.c} ${r.ty} ${Number(r.nn) ? "not null" : "null"} default=${r.df}${
        Number(r.pk) ? " pk" : ""
      }`
    ),
    ...idx.map((r) =>
      `index ${r.t}.${r.i} ${Number(r.u) ? "unique" : "plain"} (${
        String(r.cols).replaceAll('"', "").replaceAll(" ", "")
      })`
    ),
  ].sort();
}

/** The lines of `before` that `after` no longer has: what was dropped, renamed or retyped. */
export function lostFrom(before: string[], after: string[]): string[] {
  const have = new Set(after);
  return before.filter((line) => !have.has(line));
}
