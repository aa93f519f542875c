/**
 * LOG_SQL_DSN (New API's LOG_DB): the real process on an embedded SQLite store with its logs in a separate
 * PostgreSQL or MariaDB database (the latter in New API's `user:pass@tcp(host:port)/db` form), and on
 * PostgreSQL with `LOG_SQL_DSN=local` (New API's word for the SQLite file). A relayed
 * request's consume row lands in the log database and not in the main store; `/api/log/`, `/api/log/self`
 * and the stats read it there (channel names still come from the main store); `DELETE /api/log/` deletes
 * old rows there.
 */
import { assertEquals } from "../support/assert.ts";
import { loginWithPassword, seedGatewayStore, startServer } from "../support/server.ts";
import { postgresServerUrl, withTempDatabase } from "../support/postgres.ts";
import { mysqlGoDsn, mysqlServerUrl, withTempMysqlDatabase } from "../support/mysql.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { loadConfig, type StoreKind } from "../../config/env.ts";
import { openMigratedLogDatabase, openMigratedStore } from "../../store/open.ts";
import { insertLog, LogType } from "../../store/logs.ts";
import { asInt, type Db, queryOne } from "../../store/db.ts";

const secret = "test-session-secret-0123456789";
const secrets = { sessionSecret: secret, cryptoSecret: secret };

const consumeRows = async (db: Db) =>
  asInt((await queryOne(db, "SELECT COUNT(*) AS n FROM logs WHERE type = ?", [LogType.consume]))?.n);

async function logsLiveInTheLogDatabase(
  stores: Record<string, string>,
  kinds: [main: StoreKind, logs: StoreKind],
) {
  await using fake = await startFakeUpstream({});
  await withTempDir(async (dir) => {
    const env = { DATA_DIR: dir, ...stores, SESSION_SECRET: secret, CRYPTO_SECRET: secret };
    const config = loadConfig(env);
    assertEquals([config.store, config.logStore?.kind], kinds);
    const tokenKey = await seedGatewayStore(env, fake.url, "fake-channel");

    const server = await startServer(env);
    let consumeQuota = 0;
    try {
      const base = server.url;
      const { headers } = await loginWithPassword(base);
      const api = async (path: string, init: RequestInit = {}) =>
        await (await fetch(`${base}${path}`, { ...init, headers })).json();

      const relay = await fetch(`${base}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokenKey}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] }),
      });
      assertEquals(relay.status, 200, await relay.text());

      // The consume row is written when the request settles, right after the answer.
      let admin = await api(`/api/log/?type=${LogType.consume}`);
      for (let i = 0; i < 50 && admin.data?.total !== 1; i++) {
        await new Promise((r) => setTimeout(r, 100));
        admin = await api(`/api/log/?type=${LogType.consume}`);
      }
      assertEquals(admin.success, true, JSON.stringify(admin));
      assertEquals(admin.data.total, 1, JSON.stringify(admin));
      const row = admin.data.items[0];
      consumeQuota = row.quota;
      assertEquals([row.model_name, row.channel_name, row.quota > 0], ["gpt-4o-mini", "fake-channel", true]);

      const self = await api("/api/log/self?type=2");
      assertEquals([self.data.total, self.data.items[0].quota], [1, consumeQuota]);
      const stat = await api("/api/log/stat?type=2");
      assertEquals([stat.data.quota, stat.data.rpm], [consumeQuota, 1]);
      const selfStat = await api("/api/log/self/stat");
      assertEquals(selfStat.data.quota, consumeQuota);

      // Cleanup deletes old rows in the log database and keeps the newer ones.
      const logDb = await openMigratedLogDatabase(config, secrets);
      try {
        await insertLog(logDb, { userId: 1, type: LogType.system, content: "old", createdAt: 1_000 });
        const refused = await fetch(`${base}/api/log/`, { method: "DELETE", headers });
        assertEquals(refused.status, 400);
        const deleted = await api("/api/log/?target_timestamp=2000", { method: "DELETE" });
        assertEquals([deleted.success, deleted.data], [true, 1], JSON.stringify(deleted));
        const left = await queryOne(logDb, "SELECT COUNT(*) AS n FROM logs WHERE created_at < 2000");
        assertEquals(asInt(left?.n), 0);
        assertEquals(await consumeRows(logDb), 1);
      } finally {
        await logDb.close();
      }
    } finally {
      assertEquals((await server.stop()).code, 0);
    }

    const main = await openMigratedStore(config, secrets);
    try {
      assertEquals(await consumeRows(main), 0, "no consume row in the main store");
      const used = await queryOne(main, "SELECT used_quota FROM users WHERE username = 'root'");
      assertEquals(asInt(used?.used_quota), consumeQuota, "the charge itself stays in the main store");
    } finally {
      await main.close();
    }
  });
}

Deno.test({
  name: "LOG_SQL_DSN on PostgreSQL: consume rows, log lists, stats and cleanup use the log database",
  ignore: !postgresServerUrl,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => withTempDatabase((url) => logsLiveInTheLogDatabase({ LOG_SQL_DSN: url }, ["sqlite", "postgres"])),
});

Deno.test({
  name: "LOG_SQL_DSN on MariaDB in New API's DSN form: consume rows, log lists, stats and cleanup use it",
  ignore: !mysqlServerUrl,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withTempMysqlDatabase((name) =>
      logsLiveInTheLogDatabase(
        { LOG_SQL_DSN: mysqlGoDsn(name, "parseTime=true&charset=utf8mb4") },
        ["sqlite", "mysql"],
      )
    ),
});

Deno.test({
  name: "LOG_SQL_DSN=local beside PostgreSQL: the logs go to the SQLite file at SQLITE_PATH",
  ignore: !postgresServerUrl,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withTempDatabase((url) =>
      logsLiveInTheLogDatabase({ SQL_DSN: url, LOG_SQL_DSN: "local" }, ["postgres", "sqlite"])
    ),
});
