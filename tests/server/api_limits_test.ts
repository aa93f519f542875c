/** The per-IP limits mounted on `/api` by `createApp`, driven in-process with a real store and KV. */
import { assert, assertEquals } from "../support/assert.ts";
import { createApp } from "../../server/app.ts";
import { loadConfig } from "../../config/env.ts";
import { openKv } from "../../kv/kv.ts";
import { openSqlite } from "../../store/sqlite.ts";
import { testSecrets } from "../support/stores.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { Hono } from "hono";
import { ipRateLimit } from "../../server/ip_rate_limit.ts";
import { composeDeps, stopDeps } from "../../server/compose.ts";

async function withApp(env: Record<string, string>, fn: (app: Hono) => Promise<void>) {
  await withTempDir(async (dir) => {
    const config = loadConfig({ DATA_DIR: dir, ...env });
    const db = await openSqlite({ path: `${dir}/one-api.db`, busyTimeoutMs: 5000 });
    await migrate(db, allTables, migrations, { secrets: testSecrets });
    const kv = await openKv({ kvPath: ":memory:" });
    const deps = await composeDeps({ config, secrets: testSecrets, db, kv });
    try {
      await fn(createApp(deps));
    } finally {
      await stopDeps(deps);
      kv.close();
      await db.close();
    }
  });
}

/** What Deno.serve passes as the second argument: the peer address. */
const from = (hostname: string) => ({ remoteAddr: { transport: "tcp", hostname, port: 40000 } });

Deno.test("login attempts beyond the critical limit get 429 with Retry-After", async () => {
  await withApp({ CRITICAL_RATE_LIMIT: "3", CRITICAL_RATE_LIMIT_DURATION: "1200" }, async (app) => {
    const login = (ip: string, headers: Record<string, string> = {}) =>
      app.request("/api/user/login", { method: "POST", headers, body: "{}" }, from(ip));
    for (let i = 0; i < 3; i++) assert((await login("198.51.100.1")).status !== 429, `attempt ${i + 1}`);
    const limited = await login("198.51.100.1");
    assertEquals(limited.status, 429);
    assertEquals((await limited.json()).success, false);
    // 3 per 1200 s refills one attempt every 400 s.
    const retry = Number(limited.headers.get("retry-after"));
    assert(retry > 390 && retry <= 400, `Retry-After ${retry}`);
    // A forged X-Forwarded-For from an untrusted peer does not buy a fresh budget.
    assertEquals((await login("198.51.100.1", { "x-forwarded-for": "203.0.113.99" })).status, 429);
    assert((await login("198.51.100.2")).status !== 429, "another client has its own budget");
    const other = await app.request("/api/user/self", {}, from("198.51.100.1"));
    assert(other.status !== 429, "non-critical routes only count against the global limit");
  });
});

Deno.test("the global API limit covers every /api route but not the relay", async () => {
  await withApp({ GLOBAL_API_RATE_LIMIT: "4" }, async (app) => {
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await app.request("/api/status", {}, from("192.0.2.10"))).status);
    assertEquals(codes, [200, 200, 200, 200, 429, 429]);
    assert((await app.request("/v1/models", {}, from("192.0.2.10"))).status !== 429);
  });
});

Deno.test("a trusted proxy's client address is what gets limited", async () => {
  await withApp({ SEARCH_RATE_LIMIT: "2", TRUSTED_PROXIES: "private" }, async (app) => {
    const search = (client: string) =>
      app.request("/api/token/search", { headers: { "x-forwarded-for": client } }, from("10.0.0.5"));
    assert((await search("203.0.113.1")).status !== 429);
    assert((await search("203.0.113.1")).status !== 429);
    assertEquals((await search("203.0.113.1")).status, 429);
    assert((await search("203.0.113.2")).status !== 429);
  });
});

Deno.test("a disabled limit never answers 429", async () => {
  await withApp({ CRITICAL_RATE_LIMIT_ENABLE: "false", CRITICAL_RATE_LIMIT: "1" }, async (app) => {
    for (let i = 0; i < 5; i++) {
      const res = await app.request("/api/user/register", { method: "POST", body: "{}" }, from("192.0.2.1"));
      assert(res.status !== 429);
    }
  });
});

Deno.test("a route can render the 429 in its own dialect; Retry-After is added either way", async () => {
  const kv = await openKv({ kvPath: ":memory:" });
  try {
    const app = new Hono();
    app.use(
      "/v1/*",
      ipRateLimit({
        kv,
        name: "test",
        setting: { enabled: true, limit: 1, durationSeconds: 60 },
        clientIp: () => "192.0.2.50",
        render: (c, message) =>
          c.json(
            { error: { message, type: "rate_limit_error", param: null, code: "rate_limit_exceeded" } },
            429,
          ),
      }),
    );
    app.post("/v1/chat/completions", (c) => c.json({ ok: true }));
    assertEquals((await app.request("/v1/chat/completions", { method: "POST" })).status, 200);
    const limited = await app.request("/v1/chat/completions", { method: "POST" });
    assertEquals(limited.status, 429);
    assertEquals((await limited.json()).error.type, "rate_limit_error");
    assertEquals(limited.headers.get("retry-after"), "60");
  } finally {
    kv.close();
  }
});

Deno.test("the global web limit covers the console's pages, not /static, /api or the relay", async () => {
  await withApp({ GLOBAL_WEB_RATE_LIMIT: "3" }, async (app) => {
    const page = async (path: string) => (await app.request(path, {}, from("192.0.2.20"))).status;
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push(await page(i % 2 ? "/login" : "/"));
    assertEquals(codes.map((c) => c === 429), [false, false, false, true, true]);
    assert(await page("/api/status") !== 429, "/api has its own limit");
    assert(await page("/v1/models") !== 429, "the relay is not a web page");
    assert(await page("/static/console.css") !== 429, "content-hashed assets are not counted");
    assert((await app.request("/login", {}, from("192.0.2.21"))).status !== 429, "per client");
  });
  await withApp({ GLOBAL_WEB_RATE_LIMIT: "1", GLOBAL_WEB_RATE_LIMIT_ENABLE: "false" }, async (app) => {
    for (let i = 0; i < 3; i++) assert((await app.request("/login", {}, from("192.0.2.22"))).status !== 429);
  });
});

Deno.test("NODE_TYPE=slave serves but leaves the scheduled jobs (channel test, key recovery, log retention, balances, system tasks, task poll, subscription expiry) to the master", async () => {
  await withTempDir(async (dir) => {
    for (
      const [nodeType, expected, updateTask] of [
        [
          "master",
          [
            "channel_test",
            "key_recovery",
            "log_retention",
            "channel_balance",
            "system_tasks",
            "task_poll",
            "subscription_expiry",
          ],
          "true",
        ],
        ["master", [
          "channel_test",
          "key_recovery",
          "log_retention",
          "channel_balance",
          "system_tasks",
          "subscription_expiry",
        ], "false"],
        ["slave", [], "true"],
      ] as const
    ) {
      const config = loadConfig({
        DATA_DIR: dir,
        NODE_TYPE: nodeType,
        CHANNEL_TEST_FREQUENCY: "10",
        UPDATE_TASK: updateTask,
      });
      const db = await openSqlite({ path: `${dir}/${nodeType}-${updateTask}.db`, busyTimeoutMs: 5000 });
      await migrate(db, allTables, migrations, { secrets: testSecrets });
      const kv = await openKv({ kvPath: ":memory:" });
      const deps = await composeDeps({ config, secrets: testSecrets, db, kv });
      try {
        assertEquals(deps.jobs.started, [...expected]);
        assertEquals((await createApp(deps).request("/api/status")).status, 200);
      } finally {
        await stopDeps(deps);
        kv.close();
        await db.close();
      }
    }
  });
});

Deno.test("email code requests are limited to New API's 2 per 30 s, and switched with the critical limit", async () => {
  const ask = (app: Hono, ip: string) => app.request("/api/verification?email=x@example.com", {}, from(ip));
  await withApp({}, async (app) => {
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await ask(app, "198.51.100.7")).status);
    // No SMTP server here: the first two get as far as the 503.
    assertEquals(codes, [503, 503, 429]);
    assertEquals((await ask(app, "198.51.100.8")).status, 503, "another client has its own budget");
  });
  await withApp({ CRITICAL_RATE_LIMIT_ENABLE: "false" }, async (app) => {
    for (let i = 0; i < 3; i++) assertEquals((await ask(app, "198.51.100.7")).status, 503);
  });
});
