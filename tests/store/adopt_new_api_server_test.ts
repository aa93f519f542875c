/**
 * The real server started on a database New API created (its schema and rows, see
 * tests/fixtures/new_api/): it starts, completes the schema, protects the plaintext secrets, and the
 * adopted accounts keep working — root logs in with its bcrypt password, its access token works, and an
 * adopted `sk-` key authenticates.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startServer } from "../support/server.ts";
import { createTempDatabase, postgresServerUrl } from "../support/postgres.ts";
import { withTempDir } from "../support/temp_dir.ts";

const fixtures = new URL("../fixtures/new_api/", import.meta.url);
const ALICE_KEY = "sk-AdoptedTokenKey000000000000000000000000000000001";
const ROOT_ACCESS_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

async function checkAdopted(url: string, dump: () => Promise<string>) {
  const status = await (await fetch(`${url}/api/status`)).json();
  assertEquals(status.data.setup, true, "New API's setups row counts as set up");

  const login = await fetch(`${url}/api/user/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ username: "root", password: "adopted-root-pw" }),
  });
  const loginBody = await login.json();
  assertEquals(
    loginBody.success,
    true,
    `root logs in with its New API password: ${JSON.stringify(loginBody)}`,
  );
  assertEquals(loginBody.data.role, 100);

  const self = await (await fetch(`${url}/api/user/self`, { headers: { authorization: ROOT_ACCESS_TOKEN } }))
    .json();
  assertEquals(self.data?.username, "root", "the adopted access token works");

  const usage =
    await (await fetch(`${url}/api/usage/token/`, { headers: { authorization: `Bearer ${ALICE_KEY}` } }))
      .json();
  assertEquals(usage.data?.name, "alice-key", "the adopted sk- key authenticates");
  assertEquals(usage.data?.total_available, 250000);

  const text = await dump();
  for (const secret of [ALICE_KEY.slice(3), ROOT_ACCESS_TOKEN, "sk-adopted-upstream-key"]) {
    assert(!text.includes(secret), `${secret.slice(0, 10)}… is no longer stored in plaintext`);
  }
  assert(text.includes("enc:v1:"), "the channel key is stored encrypted");
}

Deno.test("starts on a SQLite database created by New API and keeps its accounts working", async () => {
  await withTempDir(async (dir) => {
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(`${dir}/one-api.db`);
    db.exec(await Deno.readTextFile(new URL("sqlite.sql", fixtures)));
    db.close();
    const server = await startServer({ DATA_DIR: dir });
    try {
      await checkAdopted(server.url, () => {
        const read = new DatabaseSync(`${dir}/one-api.db`);
        try {
          return Promise.resolve(
            JSON.stringify(
              ["users", "tokens", "channels"].map((t) => read.prepare(`SELECT * FROM ${t}`).all()),
            ),
          );
        } finally {
          read.close();
        }
      });
    } finally {
      assertEquals((await server.stop()).code, 0);
    }
  });
});

Deno.test({
  name: "starts on a PostgreSQL database created by New API and keeps its accounts working",
  ignore: !postgresServerUrl,
  fn: async () => {
    const temp = await createTempDatabase();
    const postgres = (await import("postgres")).default;
    const sql = postgres(temp.url, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(await Deno.readTextFile(new URL("postgres.sql", fixtures)));
      await withTempDir(async (dir) => {
        const server = await startServer({
          DATA_DIR: dir,
          SQL_DSN: temp.url,
          SESSION_SECRET: "adoption-test-secret-0123456789",
        });
        try {
          await checkAdopted(server.url, async () =>
            JSON.stringify([
              await sql`SELECT * FROM users`,
              await sql`SELECT * FROM tokens`,
              await sql`SELECT * FROM channels`,
            ]));
        } finally {
          assertEquals((await server.stop()).code, 0);
        }
      });
    } finally {
      await sql.end();
      await temp.drop();
    }
  },
});
