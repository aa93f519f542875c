/** Adopting a New API database: plaintext token keys, access tokens and channel keys get protected. */
import { assert, assertEquals } from "../support/assert.ts";
import { storeTest, testSecrets } from "../support/stores.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import { migrations } from "../../store/migrations/index.ts";
import { getTokenByHash } from "../../store/tokens.ts";
import { getUserByAccessTokenHash } from "../../store/users.ts";
import { loadChannelsWithKeys } from "../../store/channels.ts";
import { hashTokenKey, hashWithPurpose } from "../../crypto/token_key.ts";

storeTest(
  "plaintext secrets of a New API database are hashed or encrypted in place and keep working",
  async (f) => {
    const db = await f.open();
    try {
      const plainKey = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKl";
      const accessToken = "0123456789abcdef0123456789abcdef";
      // The schema first (as New API would have it), then rows written the way New API writes them.
      await migrate(db, allTables, [], { secrets: testSecrets });
      await db.exec(
        `INSERT INTO users (username, password, role, access_token) VALUES ('root', 'x', 100, ?)`,
        [
          accessToken,
        ],
      );
      await db.exec(`INSERT INTO tokens (user_id, "key", name) VALUES (1, ?, 'legacy')`, [plainKey]);
      await db.exec(
        `INSERT INTO channels (type, name, "key", models, "group") VALUES (1, 'c', 'sk-legacy-upstream', 'm', 'default')`,
      );

      await migrate(db, allTables, migrations, { secrets: testSecrets });

      const dump = JSON.stringify([
        await db.query("SELECT * FROM tokens"),
        await db.query("SELECT * FROM users"),
        await db.query("SELECT * FROM channels"),
      ]);
      for (const secret of [plainKey, accessToken, "sk-legacy-upstream"]) {
        assert(!dump.includes(secret), `${secret.slice(0, 8)}… is no longer stored in plaintext`);
      }
      const token = await getTokenByHash(db, hashTokenKey(testSecrets.cryptoSecret, plainKey));
      assertEquals(token?.name, "legacy");
      assertEquals(token?.keyHint, "sk-AbCd**********IjKl");
      const root = await getUserByAccessTokenHash(
        db,
        hashWithPurpose(testSecrets.cryptoSecret, "access-token-hash", accessToken),
      );
      assertEquals(root?.username, "root");
      assertEquals((await loadChannelsWithKeys(db, testSecrets.cryptoSecret))[0].key, "sk-legacy-upstream");
      // Running again changes nothing.
      const again = await migrate(db, allTables, migrations, { secrets: testSecrets });
      assertEquals(again.applied, []);
    } finally {
      await db.close();
    }
  },
);
