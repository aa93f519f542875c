/**
 * Migration 0007: the 2FA and passkey times are datetimes, as New API's GORM models make them. A store
 * with this gateway's earlier integer columns is converted (seconds kept, 0 → NULL), one with New API's
 * own tables and GORM-written times is left as it is, and both read back the same seconds afterwards.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { storeTest, testSecrets } from "../support/stores.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { newApiFeatureTables } from "../../store/schema/new_api_features.ts";
import { createIndexSql, createTableSql, type Table } from "../../store/schema/table.ts";
import { columnTypes } from "../../store/migrations/0007_two_fa_passkey_datetimes.ts";
import { getTwoFa, recordTwoFaSuccess } from "../../store/two_fa.ts";
import { getPasskeyByUser } from "../../store/passkeys.ts";
import { queryOne, timestampSeconds } from "../../store/db.ts";
import { createTable } from "../fixtures/gorm/ddl.ts";
import { newApiGormTables } from "../fixtures/new_api/gorm_tables.ts";
import type { Db } from "../../store/db.ts";

const NAMES = ["two_fas", "two_fa_backup_codes", "passkey_credentials"];
const CREATED = 1_765_000_000; // 2025-12-06T05:46:40Z
const LAST_USED = 1_765_000_090;
const LOCKED = 1_765_000_300;

/** The three tables as earlier versions of this gateway declared them: every time an integer. */
const earlierShape: Table[] = newApiFeatureTables.filter((t) => NAMES.includes(t.name)).map((t) => ({
  ...t,
  columns: t.columns.map((c) =>
    c.type === "timestamp" && c.name !== "deleted_at" ? { ...c, type: "int" } : c
  ),
}));

async function migrateAll(db: Db) {
  await migrate(db, allTables, migrations, { secrets: testSecrets });
}

const isDatetime = (type: string) => /date|timestamp/.test(type);

async function assertDatetimeColumns(db: Db) {
  for (const name of NAMES) {
    const types = await columnTypes(db, name);
    for (const c of ["created_at", name === "two_fa_backup_codes" ? "used_at" : "last_used_at"]) {
      assert(isDatetime(types.get(c) ?? ""), `${name}.${c} is ${types.get(c)}`);
    }
  }
}

storeTest(
  "0007 turns the earlier integer 2FA and passkey times into datetimes, keeping the seconds",
  async (f) => {
    const db = await f.open();
    try {
      for (const t of earlierShape) {
        await db.exec(createTableSql(t, db.dialect));
        for (const i of t.indexes ?? []) await db.exec(createIndexSql(t, i, db.dialect));
      }
      await db.exec(
        `INSERT INTO two_fas (user_id, secret, is_enabled, failed_attempts, locked_until, last_used_at, created_at,
        updated_at) VALUES (7, 'enc:v1:x', ?, 5, ?, ?, ?, ?), (8, 'enc:v1:y', ?, 0, 0, 0, ?, ?)`,
        [true, LOCKED, LAST_USED, CREATED, CREATED, false, CREATED, CREATED],
      );
      await db.exec(
        `INSERT INTO two_fa_backup_codes (user_id, code_hash, is_used, used_at, created_at)
       VALUES (7, 'h1', ?, ?, ?), (7, 'h2', ?, 0, ?)`,
        [true, LAST_USED, CREATED, false, CREATED],
      );
      await db.exec(
        `INSERT INTO passkey_credentials (user_id, credential_id, public_key, sign_count, last_used_at, created_at,
        updated_at) VALUES (7, 'Y3JlZA==', 'cGs=', 3, ?, ?, ?)`,
        [LAST_USED, CREATED, CREATED],
      );
      await migrateAll(db);
      await assertDatetimeColumns(db);

      const seven = (await getTwoFa(db, 7))!;
      assertEquals([seven.enabled, seven.failedAttempts, seven.lockedUntil, seven.lastUsedAt], [
        true,
        5,
        LOCKED,
        LAST_USED,
      ]);
      const eight = (await getTwoFa(db, 8))!;
      assertEquals([eight.lockedUntil, eight.lastUsedAt], [0, 0]);
      const nulls = await queryOne(db, "SELECT locked_until, last_used_at FROM two_fas WHERE user_id = 8");
      assertEquals([nulls?.locked_until, nulls?.last_used_at], [null, null]);
      const created = await queryOne(db, "SELECT created_at FROM two_fas WHERE user_id = 7");
      assertEquals(timestampSeconds(created?.created_at), CREATED);

      const codes = await db.query(
        "SELECT code_hash, used_at, created_at FROM two_fa_backup_codes ORDER BY code_hash",
      );
      assertEquals(
        codes.map((r) => [r.code_hash, timestampSeconds(r.used_at), timestampSeconds(r.created_at)]),
        [
          ["h1", LAST_USED, CREATED],
          ["h2", 0, CREATED],
        ],
      );
      assertEquals((await getPasskeyByUser(db, 7))?.lastUsedAt, LAST_USED);
      // The ids, unique keys and the single-use rule still hold on the converted table.
      assertEquals(await recordTwoFaSuccess(db, 7, LAST_USED), false, "an older or equal use is refused");
      assertEquals(await recordTwoFaSuccess(db, 7, LAST_USED + 30), true);
      assertEquals(await recordTwoFaSuccess(db, 7, LAST_USED + 30), false, "the same use twice: one wins");
      assertEquals((await getTwoFa(db, 7))?.lastUsedAt, LAST_USED + 30);
      let duplicate = false;
      await db.exec("INSERT INTO two_fas (user_id, secret, is_enabled) VALUES (7, 's', ?)", [false]).catch(
        () => {
          duplicate = true;
        },
      );
      assert(duplicate, "user_id is still unique");
    } finally {
      await db.close();
    }
  },
);

/** GORM's text for a time on each store (SQLite keeps Go's layout with nanoseconds and a zone). */
const gormTime: Record<string, (s: number) => string> = {
  sqlite: (s) =>
    new Date(s * 1000).toISOString().replace("T", " ").replace("Z", "123456789+00:00").replace(".000", "."),
  postgres: (s) => new Date(s * 1000 + 123).toISOString(),
  mysql: (s) => new Date(s * 1000 + 123).toISOString().replace("T", " ").replace("Z", ""),
};

storeTest("0007 leaves New API's own datetime 2FA and passkey tables as they are", async (f) => {
  const db = await f.open();
  try {
    for (const t of newApiGormTables.filter((t) => NAMES.includes(t.name))) {
      for (const sql of createTable(t, db.dialect)) await db.exec(sql);
    }
    const at = gormTime[db.dialect];
    await db.exec(
      `INSERT INTO two_fas (user_id, secret, is_enabled, failed_attempts, locked_until, last_used_at, created_at,
        updated_at) VALUES (7, 'JBSWY3DPEHPK3PXP', ?, 0, NULL, ?, ?, ?)`,
      [true, at(LAST_USED), at(CREATED), at(CREATED)],
    );
    await db.exec(
      `INSERT INTO passkey_credentials (user_id, credential_id, public_key, sign_count, last_used_at, created_at,
        updated_at) VALUES (7, 'Y3JlZA==', 'cGs=', 3, ?, ?, ?)`,
      [at(LAST_USED), at(CREATED), at(CREATED)],
    );
    const before = await db.query("SELECT * FROM two_fas");
    await migrateAll(db);
    await assertDatetimeColumns(db);
    assertEquals(await db.query("SELECT * FROM two_fas"), before);
    const row = (await getTwoFa(db, 7))!;
    assertEquals([row.lockedUntil, row.lastUsedAt], [0, LAST_USED]);
    assertEquals((await getPasskeyByUser(db, 7))?.lastUsedAt, LAST_USED);
    // A code of the same second New API recorded (with its sub-second part) does not count again.
    assertEquals(await recordTwoFaSuccess(db, 7, LAST_USED), false);
    assertEquals(await recordTwoFaSuccess(db, 7, LAST_USED + 30), true);
  } finally {
    await db.close();
  }
});

storeTest("0007 on a fresh store: the times are datetimes from the start", async (f) => {
  const db = await f.openMigrated();
  try {
    await assertDatetimeColumns(db);
  } finally {
    await db.close();
  }
});
