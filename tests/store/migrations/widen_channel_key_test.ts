/** Migration 0006: a MySQL store with the old varchar(191) channels.key takes a 3 KB Vertex key afterwards. */
import { assert, assertEquals, assertRejects } from "../../support/assert.ts";
import { storeTest, testSecrets } from "../../support/stores.ts";
import { migrate } from "../../../store/migrate.ts";
import { allTables } from "../../../store/schema/index.ts";
import { migrations } from "../../../store/migrations/index.ts";
import { widenChannelKey } from "../../../store/migrations/0006_widen_channel_key.ts";
import { insertChannel, loadChannelsWithKeys } from "../../../store/channels.ts";
import type { Db } from "../../../store/db.ts";

/** A service-account key the size Google issues (the private key alone is ~1.7 KB of PEM). */
const vertexKey = JSON.stringify({
  type: "service_account",
  project_id: "gateway-test",
  private_key_id: "f".repeat(40),
  private_key: `-----BEGIN PRIVATE KEY-----\n${"A".repeat(1700)}\n-----END PRIVATE KEY-----\n`,
  client_email: "relay@gateway-test.iam.gserviceaccount.com",
  client_id: "1".repeat(21),
  auth_uri: "https://accounts.google.com/o/oauth2/auth",
  token_uri: "https://oauth2.googleapis.com/token",
  auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
  client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${"r".repeat(900)}`,
  universe_domain: "googleapis.com",
});

const keyColumnType = async (db: Db) =>
  (await db.query<{ t: string }>(
    `SELECT column_type AS t FROM information_schema.columns
     WHERE table_schema = DATABASE() AND table_name = 'channels' AND column_name = 'key'`,
  ))[0]?.t;

/** Records the statements a migration runs (to show it runs none). */
function recording(db: Db): { db: Db; statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    db: {
      ...db,
      dialect: db.dialect,
      query: (sql, params) => db.query(sql, params),
      exec: (sql, params) => {
        statements.push(sql);
        return db.exec(sql, params);
      },
    },
  };
}

storeTest(
  "a store whose channels.key was varchar(191) takes a 3 KB Vertex service-account key after 0006",
  async (f) => {
    assert(vertexKey.length >= 3000, `key is ${vertexKey.length} chars`);
    const db = await f.open();
    try {
      await migrate(db, allTables, migrations.filter((m) => m !== widenChannelKey), { secrets: testSecrets });
      if (f.kind === "mysql") {
        // What this gateway's schema made before the key lost its default.
        await db.exec("ALTER TABLE `channels` MODIFY `key` varchar(191) NOT NULL DEFAULT ''");
      }
      const before = await insertChannel(db, testSecrets.cryptoSecret, {
        type: 1,
        name: "old",
        key: "sk-old",
      });
      if (f.kind === "mysql") {
        await assertRejects(() =>
          insertChannel(db, testSecrets.cryptoSecret, { type: 41, name: "vertex", key: vertexKey })
        );
      }

      const { applied } = await migrate(db, allTables, migrations, { secrets: testSecrets });
      assertEquals(applied, ["0006_widen_channel_key"]);
      if (f.kind === "mysql") assertEquals(await keyColumnType(db), "longtext");

      const id = await insertChannel(db, testSecrets.cryptoSecret, {
        type: 41,
        name: "vertex",
        key: vertexKey,
      });
      const keys = new Map(
        (await loadChannelsWithKeys(db, testSecrets.cryptoSecret)).map((c) => [c.id, c.key]),
      );
      assertEquals(keys.get(id), vertexKey);
      assertEquals(keys.get(before), "sk-old");
    } finally {
      await db.close();
    }
  },
);

storeTest("0006 changes nothing on a store whose channels.key is already wide", async (f) => {
  const db = await f.openMigrated();
  try {
    const rec = recording(db);
    await widenChannelKey.up(rec.db, { secrets: testSecrets });
    assertEquals(rec.statements, []);
    if (f.kind === "mysql") assertEquals(await keyColumnType(db), "longtext");
  } finally {
    await db.close();
  }
});
