/**
 * Fills `logs` with N rows (default 1,000,000) on SQLite and on PostgreSQL, then times the console's log
 * queries through the production repository functions (median of 5 runs after a warm-up), and the cost
 * of one more log insert on the full table.
 * Usage: deno run -A bench/log_queries.ts [rows] [sqlite|postgres|both]
 */
import { openSqlite } from "../store/sqlite.ts";
import { openPostgres } from "../store/postgres.ts";
import { migrate } from "../store/migrate.ts";
import { allTables } from "../store/schema/index.ts";
import { migrations } from "../store/migrations/index.ts";
import type { Db } from "../store/db.ts";
import { insertLog, listLogs, type LogFilter, logStat, LogType } from "../store/logs.ts";
import { createTempDatabase, postgresServerUrl } from "../tests/support/postgres.ts";
import { fillLogs } from "../tests/support/log_fill.ts";
import { testSecrets } from "../tests/support/stores.ts";
import { consoleLogQueries } from "../tests/support/log_queries.ts";

const rows = Number(Deno.args[0] ?? 1_000_000);
const which = Deno.args[1] ?? "both";

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await fn();
    runs.push(performance.now() - t);
  }
  return runs.sort((a, b) => a - b)[2];
}

async function run(name: string, db: Db): Promise<void> {
  await migrate(db, allTables, migrations, { secrets: testSecrets });
  let t = performance.now();
  const now = await fillLogs(db, rows);
  console.log(
    `${name}: filled ${rows.toLocaleString()} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  for (const q of consoleLogQueries(now)) {
    const fn = q.kind === "list"
      ? () => listLogs(db, q.filter, (q.page - 1) * 10, 10)
      : () => logStat(db, q.filter as LogFilter, now);
    t = await median(fn);
    console.log(`${name}: ${q.label.padEnd(44)} ${t.toFixed(1).padStart(8)} ms${t > 200 ? "  SLOW" : ""}`);
  }
  t = performance.now();
  for (let i = 0; i < 1000; i++) {
    await insertLog(db, {
      userId: 42,
      type: LogType.consume,
      username: "user42",
      modelName: "model-7",
      quota: 1,
    });
  }
  console.log(
    `${name}: one more log insert (mean of 1000)              ${
      ((performance.now() - t) / 1000).toFixed(2)
    } ms`,
  );
}

if (which !== "postgres") {
  const dir = await Deno.makeTempDir({ prefix: "napi_bench_" });
  const db = await openSqlite({ path: `${dir}/bench.db`, busyTimeoutMs: 30_000 });
  try {
    await run("sqlite", db);
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}
if (which !== "sqlite" && postgresServerUrl) {
  const temp = await createTempDatabase();
  const db = await openPostgres({ url: temp.url, max: 4, maxLifetimeSeconds: 0, connectTimeoutSeconds: 5 });
  try {
    await run("postgres", db);
  } finally {
    await db.close();
    await temp.drop();
  }
}
