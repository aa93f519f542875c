/** One suite for both drivers: CRUD, rollback, concurrent conditional updates, migrations, restarts. */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { asBool, asInt, type Db, insertReturningId, queryOne, UniqueViolation } from "../../store/db.ts";
import { migrate, type Migration } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { storeTest, testSecrets } from "../support/stores.ts";

async function insertUser(db: Db, username: string, quota: number): Promise<number> {
  return await insertReturningId(
    db,
    `INSERT INTO users (username, password, "group", quota, created_at) VALUES (?, ?, ?, ?, ?)`,
    [username, "x", "default", quota, 1],
  );
}

storeTest("crud on New API tables with reserved column names", async (f) => {
  const db = await f.openMigrated();
  try {
    const id = await insertUser(db, "alice", 100);
    assert(id > 0);
    await db.exec(
      `INSERT INTO tokens (user_id, "key", name, "group", unlimited_quota) VALUES (?, ?, ?, ?, ?)`,
      [
        id,
        "h:abc",
        "t1",
        "vip",
        true,
      ],
    );
    const token = await queryOne<Record<string, unknown>>(
      db,
      `SELECT "key", "group", unlimited_quota, expired_time, remain_quota FROM tokens WHERE user_id = ?`,
      [id],
    );
    assertEquals(token?.key, "h:abc");
    assertEquals(token?.group, "vip");
    assertEquals(asBool(token?.unlimited_quota), true);
    assertEquals(asInt(token?.expired_time), -1, "New API's default expiry (-1 = never)");
    assertEquals(asInt(token?.remain_quota), 0);
    const updated = await db.exec(`UPDATE users SET display_name = ? WHERE id = ?`, ["Alice", id]);
    assertEquals(updated.changes, 1);
    assertEquals(
      (await queryOne<{ display_name: string }>(db, "SELECT display_name FROM users WHERE id = ?", [id]))
        ?.display_name,
      "Alice",
    );
    const deleted = await db.exec(`DELETE FROM tokens WHERE user_id = ?`, [id]);
    assertEquals(deleted.changes, 1);
    await assertRejects(() => insertUser(db, "alice", 1), UniqueViolation);
  } finally {
    await db.close();
  }
});

storeTest("a transaction that throws rolls back every statement", async (f) => {
  const db = await f.openMigrated();
  try {
    const id = await insertUser(db, "bob", 10);
    await assertRejects(
      () =>
        db.transaction(async (tx) => {
          await tx.exec("UPDATE users SET quota = quota + 5 WHERE id = ?", [id]);
          await tx.exec(`INSERT INTO options ("key", value) VALUES (?, ?)`, ["A", "1"]);
          throw new Error("boom");
        }),
      Error,
      "boom",
    );
    assertEquals(asInt((await queryOne(db, "SELECT quota FROM users WHERE id = ?", [id]))?.quota), 10);
    assertEquals(await queryOne(db, `SELECT value FROM options WHERE "key" = ?`, ["A"]), undefined);
    // A nested transaction that fails rolls back alone.
    await db.transaction(async (tx) => {
      await tx.exec("UPDATE users SET quota = quota + 1 WHERE id = ?", [id]);
      await assertRejects(() =>
        tx.transaction(async (inner) => {
          await inner.exec("UPDATE users SET quota = quota + 100 WHERE id = ?", [id]);
          throw new Error("inner");
        })
      );
    });
    assertEquals(asInt((await queryOne(db, "SELECT quota FROM users WHERE id = ?", [id]))?.quota), 11);
  } finally {
    await db.close();
  }
});

storeTest("concurrent conditional updates never overdraw and never lose writes", async (f) => {
  const db = await f.openMigrated();
  const other = await f.open();
  try {
    const id = await insertUser(db, "carol", 50);
    // 100 concurrent reservations of 1 against a balance of 50, from two connections.
    const results = await Promise.all(
      Array.from(
        { length: 100 },
        (_, i) =>
          (i % 2 ? other : db).exec("UPDATE users SET quota = quota - 1 WHERE id = ? AND quota >= 1", [id]),
      ),
    );
    assertEquals(results.filter((r) => r.changes === 1).length, 50);
    assertEquals(asInt((await queryOne(db, "SELECT quota FROM users WHERE id = ?", [id]))?.quota), 0);

    // Read-modify-write inside transactions: 40 increments, none lost.
    await Promise.all(Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? other : db).transaction(async (tx) => {
        const lock = tx.dialect === "sqlite" ? "" : " FOR UPDATE";
        const row = await queryOne(tx, `SELECT request_count FROM users WHERE id = ?${lock}`, [id]);
        await tx.exec("UPDATE users SET request_count = ? WHERE id = ?", [asInt(row?.request_count) + 1, id]);
      })));
    assertEquals(
      asInt((await queryOne(db, "SELECT request_count FROM users WHERE id = ?", [id]))?.request_count),
      40,
    );
  } finally {
    await other.close();
    await db.close();
  }
});

storeTest("migrations are idempotent and run once when two processes start together", async (f) => {
  let runs = 0;
  const counting: Migration = {
    id: "9999_test_counter",
    up: async (tx) => {
      runs++;
      await tx.exec(`INSERT INTO options ("key", value) VALUES (?, ?)`, ["migrated", String(runs)]);
    },
  };
  const a = await f.open();
  const b = await f.open();
  try {
    const [ra, rb] = await Promise.all([
      migrate(a, allTables, [...migrations, counting], { secrets: testSecrets }),
      migrate(b, allTables, [...migrations, counting], { secrets: testSecrets }),
    ]);
    assertEquals(runs, 1);
    assertEquals([...ra.applied, ...rb.applied].filter((id) => id === counting.id).length, 1);
    const again = await migrate(a, allTables, [...migrations, counting], { secrets: testSecrets });
    assertEquals(again, { schemaChanges: 0, applied: [] });
    assertEquals((await queryOne(a, `SELECT value FROM options WHERE "key" = 'migrated'`))?.value, "1");
  } finally {
    await a.close();
    await b.close();
  }
});

storeTest("a failing migration leaves no trace of the schema or data it touched", async (f) => {
  const db = await f.open();
  try {
    const broken: Migration = {
      id: "0001_broken",
      up: async (tx) => {
        await tx.exec(`INSERT INTO options ("key", value) VALUES ('half', 'done')`);
        throw new Error("migration failed");
      },
    };
    await assertRejects(
      () => migrate(db, allTables, [broken], { secrets: testSecrets }),
      Error,
      "migration failed",
    );
    if (db.dialect === "mysql") {
      // MySQL commits DDL implicitly: the tables stay, but the migration's writes and its record do not.
      assertEquals(await db.query(`SELECT value FROM options WHERE "key" = 'half'`), []);
      assertEquals(await db.query("SELECT id FROM schema_migrations"), []);
      return;
    }
    const tables = db.dialect === "postgres"
      ? await db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
      )
      : await db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    assertEquals(tables, [], "the schema sync was rolled back with the failed migration");
  } finally {
    await db.close();
  }
});

storeTest("an existing table missing our columns gets them added, its data kept", async (f) => {
  const db = await f.open();
  try {
    // A minimal New API-era tokens table without our extra columns.
    await db.exec(
      `CREATE TABLE tokens (id ${
        {
          postgres: "bigserial PRIMARY KEY",
          mysql: "bigint AUTO_INCREMENT PRIMARY KEY",
          sqlite: "INTEGER PRIMARY KEY",
        }[
          db.dialect
        ]
      },
      user_id bigint, "key" varchar(128), status bigint DEFAULT 1, name text, remain_quota bigint DEFAULT 0)`,
    );
    await db.exec(`INSERT INTO tokens (user_id, "key", name, remain_quota) VALUES (1, 'plain', 'old', 7)`);
    await migrate(db, allTables, migrations, { secrets: testSecrets });
    const row = await queryOne(db, `SELECT name, remain_quota, rpm_limit, key_hint, "key" FROM tokens`);
    assertEquals(row?.name, "old");
    assertEquals(asInt(row?.remain_quota), 7);
    assertEquals(asInt(row?.rpm_limit), 0);
    assertEquals(String(row?.key).startsWith("h1:"), true, "the adopted plaintext key was hashed");
    assertEquals(row?.key_hint, "sk-*****");
  } finally {
    await db.close();
  }
});

storeTest("data survives closing and reopening the store", async (f) => {
  const first = await f.openMigrated();
  const id = await insertUser(first, "dave", 42);
  await first.close();
  const second = await f.openMigrated();
  try {
    assertEquals(asInt((await queryOne(second, "SELECT quota FROM users WHERE id = ?", [id]))?.quota), 42);
  } finally {
    await second.close();
  }
});
