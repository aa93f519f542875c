/**
 * The cache_changes feed (MySQL's stand-in for LISTEN/NOTIFY), on every store: a reader starts after the
 * current last row, is not stalled by the hole a rolled-back insert leaves, and still takes a row whose
 * lower id commits after a higher one.
 */
import { assertEquals } from "../../support/assert.ts";
import { storeTest } from "../../support/stores.ts";
import { ChangeFeed } from "../../../store/cache/change_feed.ts";

/** Resolves with the messages heard once `count` have arrived, or rejects after `ms`. */
function hear(heard: string[], count: number, ms = 2000): Promise<string[]> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (heard.length >= count) resolve([...heard]);
      else if (Date.now() > deadline) reject(new Error(`heard only ${JSON.stringify(heard)}`));
      else setTimeout(check, 20);
    };
    check();
  });
}

storeTest("the change feed delivers across connections past holes in the ids", async (f) => {
  const db1 = await f.openMigrated();
  const db2 = await f.open();
  const writer = new ChangeFeed(db1, 50);
  const heard: string[] = [];
  let unsubscribe: (() => Promise<void>) | undefined;
  try {
    await writer.send("before");
    unsubscribe = await new ChangeFeed(db2, 50).subscribe((m) => heard.push(m));

    await db1.transaction(async (tx) => {
      await tx.exec("INSERT INTO cache_changes (payload, created_at) VALUES ('rolled back', 0)");
      throw new Error("roll back");
    }).catch(() => {});
    await writer.send("after the hole");
    assertEquals(await hear(heard, 1), ["after the hole"], "not the row before the start, not stalled");

    if (f.kind !== "sqlite") {
      // A lower id that commits after a higher one is still delivered.
      const late = Promise.withResolvers<void>();
      const inserted = Promise.withResolvers<void>();
      const slow = db1.transaction(async (tx) => {
        await tx.exec("INSERT INTO cache_changes (payload, created_at) VALUES ('committed late', 0)");
        inserted.resolve();
        await late.promise;
      });
      await inserted.promise;
      await writer.send("committed first");
      await hear(heard, 2);
      late.resolve();
      await slow;
      assertEquals(await hear(heard, 3), ["after the hole", "committed first", "committed late"]);
    }
  } finally {
    await unsubscribe?.();
    await db2.close();
    await db1.close();
  }
});

storeTest("pruning deletes rows older than ten minutes but always keeps the newest", async (f) => {
  const db = await f.openMigrated();
  try {
    const feed = new ChangeFeed(db, 50);
    const now = 1_000_000;
    const insert = (payload: string, createdAt: number) =>
      db.exec("INSERT INTO cache_changes (payload, created_at) VALUES (?, ?)", [payload, createdAt]);
    await insert("old", now - 700);
    await insert("recent", now - 60);
    await feed.prune(now);
    const left = async () =>
      (await db.query<{ payload: string }>("SELECT payload FROM cache_changes ORDER BY id"))
        .map((r) => r.payload);
    assertEquals(await left(), ["recent"]);
    await insert("old but newest", now - 700);
    await feed.prune(now + 1000);
    assertEquals(await left(), ["old but newest"], "an emptied table could hand out ids readers have passed");
  } finally {
    await db.close();
  }
});
