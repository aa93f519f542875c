/**
 * The real server started on a copy of New API's database (tests/fixtures/new_api/, all 34 tables) on
 * SQLite, PostgreSQL and MariaDB (with New API's own DSN form): it starts, root logs in with its New API
 * password, an old `sk-` key relays through the old channel to the fake upstream, the old logs, quota and
 * options show in the API, and the schema afterwards has lost nothing (only additions), so New API can
 * run on it again.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startServer } from "../support/server.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { createTempDatabase, postgresServerUrl } from "../support/postgres.ts";
import { createTempMysqlDatabase, mysqlGoDsn, mysqlServerUrl } from "../support/mysql.ts";
import { openTestMysql } from "../support/stores.ts";
import { dumpSchema, lostFrom } from "../support/schema_dump.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { loadFixture } from "./fixture_load.ts";
import type { Db } from "../../store/db.ts";
import { openSqlite } from "../../store/sqlite.ts";
import { openPostgres } from "../../store/postgres.ts";
import { ALICE_TOKEN_KEY } from "../fixtures/new_api/rows.ts";

const SECRET = "adoption-test-secret-0123456789";

interface Target {
  open(): Promise<Db>;
  env: Record<string, string>;
}

async function adoptAndCheck(target: Target, product: "new_api" | "one_api" = "new_api") {
  await using fake = await startFakeUpstream({});
  let db = await target.open();
  let before: string[];
  try {
    await loadFixture(db, product);
    await db.exec("UPDATE channels SET base_url = ? WHERE id = 1", [fake.url]);
    before = await dumpSchema(db);
  } finally {
    await db.close();
  }

  const server = await startServer({ SESSION_SECRET: SECRET, CRYPTO_SECRET: SECRET, ...target.env });
  try {
    const url = server.url;
    const login = await fetch(`${url}/api/user/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url },
      body: JSON.stringify({ username: "root", password: "adopted-root-pw" }),
    });
    const loginBody = await login.json();
    assertEquals(loginBody.success, true, `root logs in with its old password: ${JSON.stringify(loginBody)}`);
    const admin = { cookie: login.headers.get("set-cookie")!.split(";")[0], "New-Api-User": "1" };

    const relay = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer sk-${ALICE_TOKEN_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] }),
    });
    const answer = await relay.json();
    assertEquals(relay.status, 200, `the old key relays through the old channel: ${JSON.stringify(answer)}`);
    assert(fake.requests.length >= 1, "the request reached the fake upstream");

    const logs = await (await fetch(`${url}/api/log/?p=1&page_size=50&type=2`, { headers: admin })).json();
    const oldLog = logs.data?.items?.find((l: { created_at: number }) => l.created_at === 1700000100);
    assertEquals(
      [oldLog?.model_name, oldLog?.quota, oldLog?.token_name],
      ["gpt-4o", 600, "alice-key"],
      `old logs show: ${JSON.stringify(logs).slice(0, 400)}`,
    );

    const users = await (await fetch(`${url}/api/user/2`, { headers: admin })).json();
    assertEquals(users.data?.username, "alice", JSON.stringify(users));
    assert(
      users.data.quota > 0 && users.data.quota <= 500000,
      `alice's old quota shows: ${users.data.quota}`,
    );

    const options = await (await fetch(`${url}/api/option/`, { headers: admin })).json();
    const option = (k: string) => options.data?.find((o: { key: string }) => o.key === k)?.value;
    assertEquals(option("SystemName"), "Adopted New API", "old options show");

    // Writes through the API land in the adopted tables (GORM's types: json channel_info, int quotas).
    const json = { ...admin, "content-type": "application/json" };
    const write = async (method: string, path: string, body: unknown) => {
      const r = await (await fetch(`${url}${path}`, { method, headers: json, body: JSON.stringify(body) }))
        .json();
      assertEquals(r.success, true, `${method} ${path}: ${JSON.stringify(r)}`);
      return r;
    };
    await write("POST", "/api/channel/", {
      mode: "single",
      channel: {
        type: 1,
        name: "added",
        key: "sk-added",
        models: "gpt-4o-mini",
        group: "default",
        base_url: fake.url,
      },
    });
    await write("PUT", "/api/channel/", { id: 1, name: "openai-renamed", models: "gpt-4o,gpt-4o-mini" });
    await write("POST", "/api/token/", { name: "made-after-adoption", remain_quota: 1000 });
    await write("PUT", "/api/user/", {
      id: 2,
      username: "alice",
      display_name: "Alice",
      quota: 700000,
      group: "default",
    });
    await write("PUT", "/api/option/", { key: "SystemName", value: "Adopted and renamed" });
  } finally {
    assertEquals((await server.stop()).code, 0, server.output());
  }

  db = await target.open();
  try {
    assertEquals(lostFrom(before, await dumpSchema(db)), [], "nothing dropped, renamed or retyped");
  } finally {
    await db.close();
  }
}

/** The three databases, each created empty for one test. */
export const targets = {
  sqlite: async (fn: (t: Target) => Promise<void>) =>
    await withTempDir(async (dir) =>
      await fn({
        open: () => openSqlite({ path: `${dir}/one-api.db`, busyTimeoutMs: 5000 }),
        env: { DATA_DIR: dir },
      })
    ),
  postgres: async (fn: (t: Target) => Promise<void>) => {
    const temp = await createTempDatabase();
    try {
      await withTempDir(async (dir) =>
        await fn({
          open: () =>
            openPostgres({ url: temp.url, max: 2, maxLifetimeSeconds: 60, connectTimeoutSeconds: 5 }),
          env: { DATA_DIR: dir, SQL_DSN: temp.url },
        })
      );
    } finally {
      await temp.drop();
    }
  },
  mysql: async (fn: (t: Target) => Promise<void>) => {
    const temp = await createTempMysqlDatabase();
    try {
      await withTempDir(async (dir) =>
        await fn({
          open: () => openTestMysql(temp.url),
          // New API's own DSN form, as its docker-compose writes it.
          env: {
            DATA_DIR: dir,
            SQL_DSN: mysqlGoDsn(temp.name),
          },
        })
      );
    } finally {
      await temp.drop();
    }
  },
};

export const available = { sqlite: true, postgres: !!postgresServerUrl, mysql: !!mysqlServerUrl };

for (const kind of ["sqlite", "postgres", "mysql"] as const) {
  Deno.test({
    name:
      `the gateway adopts New API's ${kind} database: login, old key relays, old data shows, schema only grows`,
    ignore: !available[kind],
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => targets[kind]((t) => adoptAndCheck(t)),
  });
}

export { adoptAndCheck };

for (const kind of ["sqlite", "postgres", "mysql"] as const) {
  Deno.test({
    name:
      `the gateway adopts One API's ${kind} database: login, old key relays, old data shows, schema only grows`,
    ignore: !available[kind],
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => targets[kind]((t) => adoptAndCheck(t, "one_api")),
  });
}
