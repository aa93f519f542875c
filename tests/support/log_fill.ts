/**
 * Bulk-fills `logs` with realistic rows (1,000 users × 3 tokens, 50 models, 20 channels, 10% "vip",
 * ~1% error rows, spread evenly over 30 days) in one INSERT … SELECT over a generated sequence, with the
 * log indexes dropped during the load and rebuilt by the schema sync after it.
 */
import type { Db } from "../../store/db.ts";
import { dropIndexIfExists, migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { testSecrets } from "./stores.ts";

export const FILL_DAYS = 30;

/** 1..rows as x: MySQL caps recursive CTEs at 1,000 rounds, so there the digits are cross-joined. */
function sequenceSql(db: Db, rows: number): string {
  if (db.dialect === "postgres") return `generate_series(1::bigint, ${rows}) AS s(x)`;
  if (db.dialect === "sqlite") {
    return `(WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < ${rows}) SELECT x FROM seq) s`;
  }
  const digit =
    "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 " +
    "UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
  const places = Math.max(1, Math.ceil(Math.log10(rows + 1)));
  const from = Array.from({ length: places }, (_, i) => `${digit} d${i}`).join(", ");
  const sum = Array.from({ length: places }, (_, i) => `d${i}.d * ${10 ** i}`).join(" + ");
  return `(SELECT ${sum} + 1 AS x FROM ${from}) s WHERE x <= ${rows}`;
}

function fillSql(db: Db, rows: number, base: number): string {
  const pg = db.dialect === "postgres";
  const my = db.dialect === "mysql";
  const seq = sequenceSql(db, rows);
  const int = (e: string) => pg ? `(${e})::bigint` : `CAST(${e} AS ${my ? "SIGNED" : "INTEGER"})`;
  const txt = (e: string) => pg ? `(${e})::text` : `CAST(${e} AS ${my ? "CHAR" : "TEXT"})`;
  const u = "((x * 7919) % 1000 + 1)";
  const step = (FILL_DAYS * 86400) / rows;
  return `INSERT INTO logs (user_id, created_at, type, content, username, token_name, model_name, quota,
    prompt_tokens, completion_tokens, use_time, is_stream, channel_id, token_id, "group", ip, other, request_id)
    SELECT ${u}, ${int(`${base} + x * ${step}`)},
      CASE WHEN x % 100 = 0 THEN 5 WHEN x % 97 = 0 THEN 1 ELSE 2 END, '',
      'user' || ${txt(u)}, 'tok-' || ${txt(u)} || '-' || ${txt("x % 3")}, 'model-' || ${txt("x % 50")},
      x % 5000, x % 3000, x % 800, x % 30, ${pg || my ? "(x % 2 = 0)" : "(x % 2)"},
      x % 20 + 1, ${u} * 3 + x % 3, CASE WHEN x % 10 = 0 THEN 'vip' ELSE 'default' END, '',
      '{"model_ratio":1.25,"group_ratio":1,"completion_ratio":4,"cache_tokens":0,"cache_ratio":0.5,"model_price":-1,"frt":812,"admin_info":{"use_channel":["3"]}}',
      'req-' || ${txt("x")}
    FROM ${seq}`;
}

/** Fills `rows` rows ending now; returns the time span's end (the newest row's created_at). */
export async function fillLogs(db: Db, rows: number): Promise<number> {
  const end = Math.floor(Date.now() / 1000);
  const logs = allTables.find((t) => t.name === "logs")!;
  for (const index of logs.indexes ?? []) await dropIndexIfExists(db, "logs", index.name);
  await db.exec(fillSql(db, rows, end - FILL_DAYS * 86400));
  await migrate(db, allTables, migrations, { secrets: testSecrets });
  await db.exec(
    { postgres: "VACUUM ANALYZE logs", mysql: "ANALYZE TABLE logs", sqlite: "ANALYZE" }[db.dialect],
  );
  return end;
}
