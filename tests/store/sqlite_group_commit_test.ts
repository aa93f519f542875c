/**
 * SQLite group commit: transactions that queue up share one COMMIT, yet each keeps the semantics of its
 * own transaction (alone rolled back when it throws, settled only once durable, in arrival order).
 */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { asInt, type Db, queryOne } from "../../store/db.ts";
import { openSqlite } from "../../store/sqlite.ts";

async function withDb(fn: (db: Db, path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "napi_group_commit_" });
  const path = `${dir}/test.db`;
  const db = await openSqlite({ path, busyTimeoutMs: 5000 });
  try {
    await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
    await db.exec("INSERT INTO t (id, n) VALUES (1, 0)");
    await fn(db, path);
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const n = async (db: Db) => asInt((await queryOne(db, "SELECT n FROM t WHERE id = 1"))?.n);

Deno.test("concurrent transactions in one group: the one that throws rolls back alone", async () => {
  await withDb(async (db) => {
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.exec("UPDATE t SET n = n + 1 WHERE id = 1");
          if (i % 10 === 3) throw new Error(`job ${i} failed`);
          return i;
        })),
    );
    assertEquals(results.filter((r) => r.status === "rejected").length, 5);
    results.forEach((r, i) => {
      if (i % 10 === 3) assertEquals((r as PromiseRejectedResult).reason.message, `job ${i} failed`);
      else assertEquals((r as PromiseFulfilledResult<number>).value, i);
    });
    assertEquals(await n(db), 45);
  });
});

Deno.test("a transaction settles only once its write is durable: another connection already sees it", async () => {
  await withDb(async (db, path) => {
    const other = await openSqlite({ path, busyTimeoutMs: 5000 });
    try {
      const seen = await Promise.all(Array.from({ length: 20 }, async () => {
        await db.transaction((tx) => tx.exec("UPDATE t SET n = n + 1 WHERE id = 1"));
        return await n(other);
      }));
      // Every caller, when its transaction resolved, could already read its own increment elsewhere.
      seen.forEach((value) => assert(value >= 1));
      assertEquals(await n(other), 20);
    } finally {
      await other.close();
    }
  });
});

Deno.test("a statement outside any transaction waits for the running group and never sees its rollback", async () => {
  await withDb(async (db) => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const failing = db.transaction(async (tx) => {
      await tx.exec("UPDATE t SET n = 100 WHERE id = 1");
      await gate;
      throw new Error("rolled back");
    });
    const read = n(db);
    release();
    await assertRejects(() => failing, Error, "rolled back");
    assertEquals(await read, 0);
  });
});

Deno.test("a job that breaks the shared transaction fails its whole group: no write of it is kept", async () => {
  await withDb(async (db) => {
    // The first transaction commits alone; the ones queued while it runs form the next group.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = db.transaction(() => gate);
    const jobs = [
      db.transaction((tx) => tx.exec("UPDATE t SET n = n + 1 WHERE id = 1")),
      // Ends the shared transaction from inside: the group can no longer commit what it did.
      db.transaction((tx) => tx.exec("ROLLBACK")),
      db.transaction((tx) => tx.exec("UPDATE t SET n = n + 1 WHERE id = 1")),
    ];
    release();
    await first;
    const results = await Promise.allSettled(jobs);
    assertEquals(results.map((r) => r.status), ["rejected", "rejected", "rejected"]);
    assertEquals(await n(db), 0);
    // The connection is usable again afterwards.
    await db.transaction((tx) => tx.exec("UPDATE t SET n = n + 1 WHERE id = 1"));
    assertEquals(await n(db), 1);
  });
});
