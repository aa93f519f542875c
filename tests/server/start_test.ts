/** The real process: starts on both stores, answers /api/status, keeps data, refuses bad config. */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { runToExit, startServer } from "../support/server.ts";
import { createTempDatabase, postgresServerUrl } from "../support/postgres.ts";
import { withTempDir } from "../support/temp_dir.ts";

async function status(url: string) {
  const res = await fetch(`${url}/api/status`);
  return { code: res.status, body: await res.json() };
}

Deno.test("starts on the embedded store, answers /api/status within 10 s, keeps its data across restarts", async () => {
  await withTempDir(async (dir) => {
    const started = Date.now();
    const first = await startServer({ DATA_DIR: dir });
    try {
      const { code, body } = await status(first.url);
      assert(Date.now() - started < 10000, "answered within 10 s of start");
      assertEquals(code, 200);
      assertEquals(body.success, true);
      assertEquals(body.data.database_type, "sqlite");
      assertEquals(body.data.setup, false);
    } finally {
      assertEquals((await first.stop()).code, 0, "SIGTERM exits cleanly");
    }
    const secrets = await Deno.readTextFile(`${dir}/secrets.json`);
    assertEquals((await Deno.stat(`${dir}/secrets.json`)).mode! & 0o777, 0o600);
    // Write something the second run must see.
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(`${dir}/one-api.db`);
    db.exec(`INSERT INTO setups (version, initialized_at) VALUES ('test', 1)`);
    db.close();

    const second = await startServer({ DATA_DIR: dir });
    try {
      const { body } = await status(second.url);
      assertEquals(body.data.setup, true, "the row written before the restart is there");
      assertEquals(await Deno.readTextFile(`${dir}/secrets.json`), secrets, "secrets generated once");
      assert(!second.output().includes(JSON.parse(secrets).sessionSecret), "secrets are never logged");
    } finally {
      await second.stop();
    }
  });
});

Deno.test({
  name: "starts on PostgreSQL with SQL_DSN and keeps its data across restarts",
  ignore: !postgresServerUrl,
  fn: async () => {
    const temp = await createTempDatabase();
    try {
      await withTempDir(async (dir) => {
        const env = { DATA_DIR: dir, SQL_DSN: temp.url, SESSION_SECRET: "test-session-secret-0123456789" };
        const first = await startServer(env);
        try {
          const { body } = await status(first.url);
          assertEquals(body.data.database_type, "postgres");
          assertEquals(body.data.setup, false);
        } finally {
          assertEquals((await first.stop()).code, 0);
        }
        const postgres = (await import("postgres")).default;
        const sql = postgres(temp.url, { max: 1, onnotice: () => {} });
        await sql`INSERT INTO setups (version, initialized_at) VALUES ('test', 1)`;
        await sql.end();
        const second = await startServer(env);
        try {
          assertEquals((await status(second.url)).body.data.setup, true);
          assert(!second.output().includes(temp.url), "the DSN is not logged");
        } finally {
          await second.stop();
        }
        const files = [...Deno.readDirSync(dir)].map((e) => e.name);
        assert(!files.includes("one-api.db"), "no SQLite file when PostgreSQL is used");
      });
    } finally {
      await temp.drop();
    }
  },
});

for (
  const [env, fragment] of [
    [{ PORT: "abc" }, "PORT"],
    [{ SQL_DSN: "mongodb://root@localhost/oneapi" }, "SQL_DSN"],
    [
      { SQL_DSN: "root:pw@tcp(127.0.0.1:1)/none?parseTime=true", SESSION_SECRET: "0123456789abcdef0" },
      "cannot connect to MySQL at 127.0.0.1:1/none",
    ],
    [
      { SQL_DSN: "postgres://nobody:pw@127.0.0.1:1/none", SESSION_SECRET: "0123456789abcdef0" },
      "cannot connect",
    ],
    [{ SQL_DSN: "postgres://u:pw@127.0.0.1:5432/x" }, "SESSION_SECRET: required with SQL_DSN"],
    [
      { REDIS_CONN_STRING: "redis://:pw@127.0.0.1:1/0" },
      "REDIS_CONN_STRING: cannot use Redis at 127.0.0.1:1/0",
    ],
    [
      { REDIS_CONN_STRING: "http://:pw@127.0.0.1:6379" },
      "REDIS_CONN_STRING: expected a redis:// or rediss:// URL",
    ],
  ] as const
) {
  Deno.test(`bad configuration (${JSON.stringify(env)}) exits non-zero within seconds and creates no database`, async () => {
    await withTempDir(async (dir) => {
      const { code, output, ms } = await runToExit({ DATA_DIR: dir, ...env });
      assert(code !== 0, `exit code was ${code}`);
      assertStringIncludes(output, fragment);
      assert(ms < 15000, `took ${ms} ms`);
      assert(!output.includes("pw@"), "the password in SQL_DSN is not echoed");
      const files = [...Deno.readDirSync(dir)].map((e) => e.name);
      assert(!files.includes("one-api.db"), `no database file was created (found ${files.join(", ")})`);
    });
  });
}
