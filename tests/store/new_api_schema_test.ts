/**
 * A migrated store has every table and column of New API's schema (its GORM models at commit e2c7aa7,
 * listed in tests/fixtures/new_api/schema_columns.txt), so a database made here can be handed to New API
 * and one made by New API is only ever extended here.
 */
import { assertEquals } from "../support/assert.ts";
import { storeTest } from "../support/stores.ts";
import { existingColumns } from "../../store/migrate.ts";

const fixture = new URL("../fixtures/new_api/schema_columns.txt", import.meta.url);
const expected = (await Deno.readTextFile(fixture)).split("\n").filter(Boolean);

storeTest("a migrated store has all 34 of New API's tables and their 424 columns", async (f) => {
  const db = await f.openMigrated();
  try {
    const have = await existingColumns(db);
    const missing = expected.filter((tc) => {
      const [table, column] = tc.split(".");
      return !have.get(table)?.has(column);
    });
    assertEquals(missing, []);
    assertEquals(new Set(expected.map((tc) => tc.split(".")[0])).size, 34);
    assertEquals(expected.length, 424);
  } finally {
    await db.close();
  }
});
