/**
 * An instance starting beside running ones (a rolling restart) migrates an up-to-date schema without
 * taking a lock a running billing batch holds: on PostgreSQL, CREATE INDEX IF NOT EXISTS waits for a
 * SHARE lock on its table even when the index is there, and deadlocked with the running instances' batches
 * (found by the lease crash test: "deadlock detected" at start).
 */
import { assertEquals } from "../support/assert.ts";
import { sharedStoreTest, testSecrets } from "../support/stores.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";

sharedStoreTest("migrating an up-to-date store waits for no open write transaction", async (f) => {
  const live = await f.openMigrated();
  const starting = await f.open();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let inside!: () => void;
  const writing = new Promise<void>((r) => (inside = r));
  try {
    // A running instance's batch: rows of users, tokens and the journal written, not yet committed.
    const batch = live.transaction(async (tx) => {
      await tx.exec("UPDATE users SET used_quota = used_quota + 0");
      await tx.exec("UPDATE tokens SET used_quota = used_quota + 0");
      await tx.exec("UPDATE quota_reservations SET settled_quota = settled_quota + 0");
      await tx.exec("UPDATE logs SET quota = quota + 0");
      inside();
      await held;
    });
    await writing;
    const outcome = await Promise.race([
      migrate(starting, allTables, migrations, { secrets: testSecrets }).then((r) => r.schemaChanges),
      new Promise<string>((r) => setTimeout(() => r("blocked"), 3_000)),
    ]);
    release();
    await batch;
    assertEquals(outcome, 0, "the start migrated nothing and waited for nothing");
  } finally {
    release();
    await starting.close();
    await live.close();
  }
});
