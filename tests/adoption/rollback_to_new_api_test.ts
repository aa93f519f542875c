/**
 * Rollback: after the gateway adopted New API's database (keys hashed and encrypted in place) and made a
 * token of its own, the export writes every token key and channel key back the way New API reads them
 * (`WHERE key = <bare key>`, the channel key in clear); starting the gateway again protects them again.
 */
import { assertEquals } from "../support/assert.ts";
import { storeTest, testSecrets } from "../support/stores.ts";
import { withTempDir } from "../support/temp_dir.ts";
import { loadFixture } from "./fixture_load.ts";
import type { Db } from "../../store/db.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { openSqlite } from "../../store/sqlite.ts";
import { createToken, getTokenByHash } from "../../store/tokens.ts";
import { exportToNewApi } from "../../store/new_api_export.ts";
import { hashTokenKey } from "../../crypto/token_key.ts";
import { ALICE_TOKEN_KEY, CHANNEL_KEY, ROOT_ACCESS_TOKEN, ROOT_TOKEN_KEY } from "../fixtures/new_api/rows.ts";

const root = new URL("../../", import.meta.url).pathname;

/** What New API sees: the token found by its bare key, and the channel's key as stored. */
async function asNewApiReads(db: Db, bare: string) {
  const [token] = await db.query<{ name: string }>(`SELECT name FROM tokens WHERE "key" = ?`, [bare]);
  const [channel] = await db.query<{ key: string }>(`SELECT "key" FROM channels WHERE id = 1`);
  return [token?.name, channel?.key];
}

storeTest("the New API export gives New API back readable token and channel keys", async (f) => {
  const db = await f.open();
  try {
    await loadFixture(db, "new_api");
    await migrate(db, allTables, migrations, { secrets: testSecrets });
    const [lost, sealed] = await asNewApiReads(db, ALICE_TOKEN_KEY);
    assertEquals(
      [lost, sealed?.startsWith("enc:v1:")],
      [undefined, true],
      "adopted: New API cannot read them",
    );
    const made = await createToken(db, testSecrets.cryptoSecret, 2, { name: "made-here" });

    const report = await exportToNewApi(db, testSecrets.cryptoSecret);
    assertEquals([report.tokens, report.tokensWithoutCopy, report.channels], [3, 0, 1]);
    assertEquals(await asNewApiReads(db, ALICE_TOKEN_KEY), ["alice-key", CHANNEL_KEY]);
    assertEquals((await asNewApiReads(db, ROOT_TOKEN_KEY))[0], "root-key");
    assertEquals((await asNewApiReads(db, made.key.slice(3)))[0], "made-here");
    assertEquals(report.accessTokens, 1);
    const [root] = await db.query<{ username: string }>("SELECT username FROM users WHERE access_token = ?", [
      ROOT_ACCESS_TOKEN,
    ]);
    assertEquals(root?.username, "root", "New API finds root by its old access token");

    // Coming back to the gateway protects the keys again, and they keep working.
    await migrate(db, allTables, migrations, { secrets: testSecrets });
    assertEquals((await asNewApiReads(db, ALICE_TOKEN_KEY))[0], undefined);
    const again = await getTokenByHash(db, hashTokenKey(testSecrets.cryptoSecret, ALICE_TOKEN_KEY));
    assertEquals(again?.name, "alice-key");
  } finally {
    await db.close();
  }
});

Deno.test("deno task export-new-api rewrites a SQLite copy for New API", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/one-api.db`;
    const env = { DATA_DIR: dir, SESSION_SECRET: "s".repeat(32), CRYPTO_SECRET: "c".repeat(32) };
    let db = await openSqlite({ path, busyTimeoutMs: 5000 });
    try {
      await loadFixture(db, "new_api");
      await migrate(db, allTables, migrations, { secrets: testSecrets });
    } finally {
      await db.close();
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "export-new-api"],
      cwd: root,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, text);
    db = await openSqlite({ path, busyTimeoutMs: 5000 });
    try {
      assertEquals(await asNewApiReads(db, ALICE_TOKEN_KEY), ["alice-key", CHANNEL_KEY], text);
    } finally {
      await db.close();
    }
  });
});
