/**
 * Bulk-fills `logs` with realistic rows (1,000 users × 3 tokens, 50 models, 20 channels, 10% "vip",
 * ~1% error rows, spread evenly over 30 days) in one INSERT … SELECT over a generated sequence, with the
 * log indexes dropped during the load and rebuilt by the schema sync after it.
 */
import type { Db } from "../../store/db.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { testSecrets } from "./stores.ts";

export const FILL_DAYS = 30;

function fillSql(db: Db, rows: number, base: number): string {
  const pg = db.dialect === "postgres";
  const seq = pg
    ? `generate_series(1::bigint, ${rows}) AS s(x)`
    : `(WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < ${rows}) SELECT x FROM seq) s`;
  const int = (e: string) => pg ? `(${e})::bigint` : `CAST(${e} AS INTEGER)`;
  const txt = (e: string) => pg ? `(${e})::text` : `CAST(${e} AS TEXT)`;
  const u = "((x * 7919) % 1000 + 1)";
  const step = (FILL_DAYS * 86400) / rows;
  return `INSERT INTO logs (user_id, created_at, type, content, username, token_name, model_name, quota,
    prompt_tokens, completion_tokens, use_time, is_stream, channel_id, token_id, "group", ip, other, request_id)
    SELECT ${u}, ${int(`${base} + x * ${step}`)},
      CASE WHEN x % 100 = 0 THEN 5 WHEN x % 97 = 0 THEN 1 ELSE 2 END, '',
      'user' || ${txt(u)}, 'tok-' || ${txt(u)} || '-' || ${txt("x % 3")}, 'model-' || ${txt("x % 50")},
      x % 5000, x % 3000, x % 800, x % 30, ${pg ? "(x % 2 = 0)" : "(x % 2)"},
      x % 20 + 1, ${u} * 3 + x % 3, CASE WHEN x % 10 = 0 THEN 'vip' ELSE 'default' END, '',
      '{"model_ratio":1.25,"group_ratio":1,"completion_ratio":4,"cache_tokens":0,"cache_ratio":0.5,"model_price":-1,"frt":812,"admin_info":{"use_channel":["3"]}}',
      'req-' || ${txt("x")}
    FROM ${seq}`;
}

/** Fills `rows` rows ending now; returns the time span's end (the newest row's created_at). */
export async function fillLogs(db: Db, rows: number): Promise<number> {
  const end = Math.floor(Date.now() / 1000);
  const logs = allTables.find((t) => t.name === "logs")!;
  for (const index of logs.indexes ?? []) await db.exec(`DROP INDEX IF EXISTS "${index.name}"`);
  await db.exec(fillSql(db, rows, end - FILL_DAYS * 86400));
  await migrate(db, allTables, migrations, { secrets: testSecrets });
  await db.exec(db.dialect === "postgres" ? "VACUUM ANALYZE logs" : "ANALYZE");
  return end;
}
