/**
 * A database New API created (all 34 tables as GORM makes them, rows as New API writes them) migrates
 * here with only additions: every column keeps its type, nullability and default, every index stays,
 * and the adopted rows keep working through our repositories.
 */
import { assertEquals } from "../support/assert.ts";
import { storeTest, testSecrets } from "../support/stores.ts";
import { dumpSchema, lostFrom } from "../support/schema_dump.ts";
import { loadFixture } from "./fixture_load.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { getTokenByHash } from "../../store/tokens.ts";
import { loadChannelsWithKeys } from "../../store/channels.ts";
import { hashTokenKey } from "../../crypto/token_key.ts";
import { ALICE_TOKEN_KEY, CHANNEL_KEY } from "../fixtures/new_api/rows.ts";

storeTest("a New API database is only extended by the migration, and its rows keep working", async (f) => {
  const db = await f.open();
  try {
    await loadFixture(db, "new_api");
    const before = await dumpSchema(db);
    await migrate(db, allTables, migrations, { secrets: testSecrets });
    const after = await dumpSchema(db);
    assertEquals(lostFrom(before, after), [], "nothing dropped, renamed or retyped");

    const token = await getTokenByHash(db, hashTokenKey(testSecrets.cryptoSecret, ALICE_TOKEN_KEY));
    assertEquals([token?.name, token?.remainQuota], ["alice-key", 250000]);
    const [channel] = await loadChannelsWithKeys(db, testSecrets.cryptoSecret);
    assertEquals(channel.key, CHANNEL_KEY);
    assertEquals((await migrate(db, allTables, migrations, { secrets: testSecrets })).applied, []);
  } finally {
    await db.close();
  }
});
