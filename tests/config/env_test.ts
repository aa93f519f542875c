import { assertEquals, assertThrows } from "../support/assert.ts";
import { ConfigError, loadConfig } from "../../config/env.ts";

Deno.test("defaults follow New API: port 3000, SQLite under ./data, 300 s streaming timeout", () => {
  const c = loadConfig({});
  assertEquals(c.port, 3000);
  assertEquals(c.store, "sqlite");
  assertEquals(c.sqlitePath, "./data/one-api.db");
  assertEquals(c.kvPath, "./data/kv.sqlite3");
  assertEquals(c.streamingTimeoutSeconds, 300);
  assertEquals(c.syncFrequencySeconds, 60);
  assertEquals(c.shutdownTimeoutSeconds, 120);
  assertEquals(c.rateLimits.globalApi, { enabled: true, limit: 360, durationSeconds: 180 });
  assertEquals(c.rateLimits.critical, { enabled: true, limit: 20, durationSeconds: 1200 });
  assertEquals(c.forceStreamOption, true);
  assertEquals(c.streamScannerMaxBufferBytes, 128 * 1024 * 1024);
  assertEquals(c.tlsInsecureSkipVerify, false);
});

Deno.test("forwarded headers are trusted from nobody by default; sign-in locks after 5 failures for 60-900 s", () => {
  const c = loadConfig({});
  assertEquals(c.trustedProxies, "none");
  assertEquals(c.loginLockout, { threshold: 5, seconds: 60, maxSeconds: 900 });
});

Deno.test("SQL_DSN with postgres:// selects PostgreSQL; CRYPTO_SECRET defaults to SESSION_SECRET", () => {
  const c = loadConfig({ SQL_DSN: "postgresql://u:p@db:5432/newapi", SESSION_SECRET: "0123456789abcdef!" });
  assertEquals(c.store, "postgres");
  assertEquals(c.cryptoSecret, "0123456789abcdef!");
});

Deno.test("SQL_DSN in New API's MySQL form or as a mysql:// URL selects MySQL; unset stays SQLite", () => {
  const secret = { SESSION_SECRET: "0123456789abcdef!" };
  assertEquals(
    loadConfig({ SQL_DSN: "root:pw@tcp(db:3306)/new-api?parseTime=true", ...secret }).store,
    "mysql",
  );
  assertEquals(loadConfig({ SQL_DSN: "mysql://root:pw@db:3306/new-api", ...secret }).store, "mysql");
  assertEquals(loadConfig({}).store, "sqlite");
});

Deno.test("DATA_DIR moves the SQLite file and the KV file together", () => {
  const c = loadConfig({ DATA_DIR: "/var/lib/napi/" });
  assertEquals(c.sqlitePath, "/var/lib/napi/one-api.db");
  assertEquals(c.kvPath, "/var/lib/napi/kv.sqlite3");
});

Deno.test("LOG_SQL_DSN takes SQL_DSN's forms and names a separate log database (New API's LOG_DB)", () => {
  const base = { DATA_DIR: "/data" };
  assertEquals(loadConfig(base).logStore, undefined);
  assertEquals(loadConfig({ ...base, LOG_SQL_DSN: "postgres://u@logs:5432/logs" }).logStore, {
    kind: "postgres",
    dsn: "postgres://u@logs:5432/logs",
  });
  assertEquals(loadConfig({ ...base, LOG_SQL_DSN: "root:pw@tcp(logs:3306)/logs?parseTime=true" }).logStore, {
    kind: "mysql",
    dsn: "root:pw@tcp(logs:3306)/logs?parseTime=true",
  });
  assertEquals(loadConfig({ ...base, LOG_SQL_DSN: "mysql://root@logs/logs" }).logStore?.kind, "mysql");
  // `local` is New API's word for the SQLite file at SQLITE_PATH: a log store beside PostgreSQL or MySQL only.
  const pgWithLocalLogs = loadConfig({ ...base, SQL_DSN: "postgres://u@db/main", LOG_SQL_DSN: "local" });
  assertEquals([pgWithLocalLogs.store, pgWithLocalLogs.logStore], ["postgres", {
    kind: "sqlite",
    dsn: undefined,
  }]);
  assertEquals(loadConfig({ ...base, LOG_SQL_DSN: "local" }).logStore, undefined);
  // The main store named twice is one store.
  assertEquals(
    loadConfig({ ...base, SQL_DSN: "postgres://u@db/x", LOG_SQL_DSN: "postgres://u@db/x" }).logStore,
    undefined,
  );
  assertEquals(loadConfig({ ...base, SQL_DSN: "local" }).store, "sqlite");
});

for (
  const [env, fragment] of [
    [{ PORT: "abc" }, 'PORT="abc": expected an integer from 0 to 65535'],
    [{ PORT: "70000" }, "PORT"],
    [{ SQL_DSN: "mongodb://db/x" }, "SQL_DSN: expected a postgres:// URL, New API's MySQL form"],
    [{ SQL_DSN: "root:pw@tcp(localhost:99999)/oneapi" }, 'SQL_DSN: port "99999"'],
    [{ SQL_DSN: "root:pw@tcp(localhost:3306)/" }, "SQL_DSN: no database name"],
    [{ SQL_DSN: "postgres://" }, "SQL_DSN: not a valid URL"],
    [{ STREAMING_TIMEOUT: "-5" }, "STREAMING_TIMEOUT"],
    [{ FORCE_STREAM_OPTION: "maybe" }, 'FORCE_STREAM_OPTION="maybe": expected true or false'],
    [{ SESSION_SECRET: "random_string" }, "SESSION_SECRET"],
    [{ SESSION_SECRET: "short" }, "SESSION_SECRET: too short"],
    [{ NODE_TYPE: "worker" }, "NODE_TYPE"],
    [{ TLS_INSECURE_SKIP_VERIFY: "maybe" }, "TLS_INSECURE_SKIP_VERIFY"],
    [{ LOG_SQL_DSN: "mongodb://logs/x" }, "LOG_SQL_DSN: expected a postgres:// URL, New API's MySQL form"],
    [{ LOG_SQL_DSN: "root:pw@tcp(logs:3306)/" }, "LOG_SQL_DSN: no database name"],
    [{ LOG_SQL_DSN: "postgres://" }, "LOG_SQL_DSN: not a valid URL"],
    [{ DENO_DEPLOYMENT_ID: "abc", SQL_DSN: "postgres://db/x", LOG_SQL_DSN: "local" }, "LOG_SQL_DSN: local"],
    [{ DENO_DEPLOYMENT_ID: "abc" }, "SQL_DSN: required on Deno Deploy"],
    [{ TRUSTED_PROXIES: "loopback,10.0.0.0/40" }, 'TRUSTED_PROXIES: "10.0.0.0/40"'],
    [{ LOGIN_LOCKOUT_SECONDS: "120", LOGIN_LOCKOUT_MAX_SECONDS: "60" }, "LOGIN_LOCKOUT_MAX_SECONDS=60"],
    [{ LOGIN_LOCKOUT_THRESHOLD: "-1" }, "LOGIN_LOCKOUT_THRESHOLD"],
  ] as const
) {
  Deno.test(`invalid ${JSON.stringify(env)} is refused with a message naming it`, () => {
    const err = assertThrows(() => loadConfig(env as Record<string, string>), ConfigError);
    assertEquals(err.message.includes(fragment), true, `message was: ${err.message}`);
    assertEquals(err.message.includes("\n"), false, "one line");
  });
}
