/** The in-memory catalog: routing tiers, targeted reloads, and cross-instance propagation (PostgreSQL, MySQL). */
import { assert, assertEquals } from "../../support/assert.ts";
import { storeTest, testSecrets } from "../../support/stores.ts";
import { Catalog } from "../../../store/cache/catalog.ts";
import { CacheSync } from "../../../store/cache/sync.ts";
import { insertUser } from "../../../store/users.ts";
import { createToken, TokenStatus, updateToken } from "../../../store/tokens.ts";
import { ChannelStatus, insertChannel, setChannelStatus } from "../../../store/channels.ts";
import { hashTokenKey } from "../../../store/../crypto/token_key.ts";
import { saveOptions } from "../../../store/options.ts";

const secret = testSecrets.cryptoSecret;
const syncOptions = { syncFrequencySeconds: 60, pollIntervalMs: 250 };

storeTest("the routing index groups enabled channels into priority tiers, highest first", async (f) => {
  const db = await f.openMigrated();
  try {
    const mk = (name: string, priority: number, group = "default") =>
      insertChannel(db, secret, { type: 1, name, key: `k-${name}`, models: "m1,m2", group, priority });
    const a = await mk("a", 10);
    const b = await mk("b", 10);
    const c = await mk("c", 0);
    await mk("d", 5, "vip");
    const catalog = new Catalog(db, secret);
    await catalog.loadAll();
    const tiers = catalog.tiers("default", "m1");
    assertEquals(tiers.map((t) => t.map((ch) => ch.id).sort()), [[a, b].sort(), [c]]);
    assertEquals(catalog.tiers("vip", "m2").length, 1);
    assertEquals(catalog.tiers("default", "nope"), []);
    assertEquals(catalog.channel(a)?.keys, ["k-a"]);
    await setChannelStatus(db, a, ChannelStatus.autoDisabled);
    await catalog.reloadChannel(a);
    assertEquals(catalog.tiers("default", "m1")[0].map((ch) => ch.id), [b]);
    assertEquals(catalog.groupModels("default").sort(), ["m1", "m2"]);
  } finally {
    await db.close();
  }
});

storeTest(
  "a published change reaches this instance at once and another instance within a second",
  async (f) => {
    const db1 = await f.openMigrated();
    const db2 = await f.open();
    const c1 = new Catalog(db1, secret);
    const c2 = new Catalog(db2, secret);
    const s1 = new CacheSync(db1, c1, syncOptions);
    const s2 = new CacheSync(db2, c2, syncOptions);
    try {
      const userId = await insertUser(db1, { username: "sync", passwordHash: "x" });
      const { token, key } = await createToken(db1, secret, userId, { name: "t", remainQuota: 10 });
      await s1.start();
      await s2.start();
      const hash = hashTokenKey(secret, key.slice(3));
      assertEquals(c2.tokenByHash(hash)?.status, TokenStatus.enabled);

      await updateToken(db1, token.id, userId, { status: TokenStatus.disabled });
      const seen = new Promise<void>((resolve) => s2.onChange((ch) => ch.kind === "token" && resolve()));
      await s1.publish({ kind: "token", id: token.id });
      assertEquals(
        c1.tokenByHash(hash)?.status,
        TokenStatus.disabled,
        "applied locally before publish returns",
      );
      // PostgreSQL hears it through NOTIFY, MySQL through the polled cache_changes feed.
      if (f.kind !== "sqlite") {
        const started = Date.now();
        await Promise.race([
          seen,
          new Promise((_, rej) => setTimeout(() => rej(new Error(`no change heard on ${f.kind}`)), 2000)),
        ]);
        assert(Date.now() - started < 1000);
        assertEquals(c2.tokenByHash(hash)?.status, TokenStatus.disabled, "other instance sees it");
      }
      await saveOptions(db1, { RetryTimes: "3" });
      await s1.publish({ kind: "options" });
      assertEquals(c1.option("RetryTimes"), "3");
    } finally {
      await s1.stop();
      await s2.stop();
      await db2.close();
      await db1.close();
    }
  },
);
