/**
 * SQL_SLOW_THRESHOLD_MS (New API's, default 200): a statement at or over the threshold is logged as a
 * warning with its SQL text and never its values; faster ones and `0` log nothing. On each store, opened
 * the way the process opens it (`openStore(loadConfig(env))`).
 */
import { assert, assertEquals } from "../support/assert.ts";
import { captureConsole } from "../support/console_capture.ts";
import { postgresServerUrl, withTempDatabase } from "../support/postgres.ts";
import { mysqlGoDsn, mysqlServerUrl, withTempMysqlDatabase } from "../support/mysql.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { loadConfig } from "../../config/env.ts";
import { openStore } from "../../store/open.ts";

const secretValue = "do-not-log-this-value";

/** A statement that takes ~80 ms on each store, with a bound value that must not be logged. */
const slowStatement = {
  sqlite: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) " +
    "SELECT COUNT(*) AS c, ? AS v FROM n",
  postgres: "SELECT pg_sleep(0.08), ?::text AS v",
  mysql: "SELECT SLEEP(0.08) AS s, ? AS v",
};

async function check(kind: keyof typeof slowStatement, env: Record<string, string>) {
  assertEquals(loadConfig(env).sqlSlowThresholdMs, 200, "New API's default");
  for (const [threshold, logged] of [["20", true], ["0", false], ["60000", false]] as const) {
    const db = await openStore(loadConfig({ ...env, SQL_SLOW_THRESHOLD_MS: threshold }));
    try {
      const { output } = await captureConsole(async () => {
        await db.query("SELECT 1 AS one");
        await db.query(slowStatement[kind], [secretValue]);
        await db.transaction((tx) => tx.query(slowStatement[kind], [secretValue]));
      });
      const lines = output.split("\n").filter((l) => l.includes("slow SQL statement"));
      assertEquals(lines.length, logged ? 2 : 0, `threshold ${threshold}: ${output}`);
      for (const line of lines) {
        assert(line.includes(slowStatement[kind].slice(0, 30)), `the SQL text is logged: ${line}`);
        assert(line.includes(kind), line);
      }
      assert(!output.includes(secretValue), "a bound value is never logged");
      assert(!output.includes("SELECT 1 AS one"), "fast statements are not logged");
    } finally {
      await db.close();
    }
  }
}

Deno.test("slow statements are logged with their SQL, never their values [sqlite]", () =>
  withTempDir((dir) => check("sqlite", { DATA_DIR: dir })));

Deno.test({
  name: "slow statements are logged with their SQL, never their values [postgres]",
  ignore: !postgresServerUrl,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withTempDatabase((url) => withTempDir((dir) => check("postgres", { DATA_DIR: dir, SQL_DSN: url }))),
});

Deno.test({
  name: "slow statements are logged with their SQL, never their values [mysql]",
  ignore: !mysqlServerUrl,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withTempMysqlDatabase((name) =>
      withTempDir((dir) => check("mysql", { DATA_DIR: dir, SQL_DSN: mysqlGoDsn(name) }))
    ),
});
