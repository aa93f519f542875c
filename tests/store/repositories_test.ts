/** Repositories on both stores: secrets at rest, ownership, abilities, conditional quota, redemption races. */
import { assert, assertEquals } from "../support/assert.ts";
import { storeTest, testSecrets } from "../support/stores.ts";
import { addUserQuota, getUser, insertUser, Role, updateUser } from "../../store/users.ts";
import {
  createToken,
  getToken,
  getTokenByHash,
  listTokens,
  regenerateTokenKey,
  updateToken,
} from "../../store/tokens.ts";
import {
  ChannelStatus,
  insertChannel,
  loadChannelsWithKeys,
  setChannelStatus,
  updateChannel,
} from "../../store/channels.ts";
import { createRedemptions, redeemCode } from "../../store/redemptions.ts";
import { hashTokenKey } from "../../crypto/token_key.ts";
import { asBool, asInt, type Db, queryOne } from "../../store/db.ts";

const secret = testSecrets.cryptoSecret;

/** Every text value in the database, for "never stored in plaintext" checks. */
async function dumpAll(db: Db): Promise<string> {
  const tables = ["users", "tokens", "channels", "abilities", "options", "redemptions"];
  let out = "";
  for (const t of tables) out += JSON.stringify(await db.query(`SELECT * FROM ${t}`));
  return out;
}

storeTest("token keys are stored only as keyed hashes and work by hash lookup", async (f) => {
  const db = await f.openMigrated();
  try {
    const userId = await insertUser(db, { username: "u1", passwordHash: "x" });
    const { token, key } = await createToken(db, secret, userId, { name: "mine", remainQuota: 500 });
    assert(key.startsWith("sk-") && key.length === 51);
    assertEquals(token.keyHint, `sk-${key.slice(3, 7)}**********${key.slice(-4)}`);
    assertEquals((await getTokenByHash(db, hashTokenKey(secret, key.slice(3))))?.id, token.id);
    const dump = await dumpAll(db);
    assert(!dump.includes(key.slice(3)), "the plaintext key appears nowhere in the database");
    const fresh = await regenerateTokenKey(db, secret, token.id, userId);
    assert(fresh && fresh !== key);
    assertEquals(await getTokenByHash(db, hashTokenKey(secret, key.slice(3))), undefined, "old key is dead");
  } finally {
    await db.close();
  }
});

storeTest("a user cannot read or change another user's token", async (f) => {
  const db = await f.openMigrated();
  try {
    const a = await insertUser(db, { username: "a", passwordHash: "x" });
    const b = await insertUser(db, { username: "b", passwordHash: "x" });
    const { token } = await createToken(db, secret, a, { name: "a-token" });
    assertEquals(await getToken(db, token.id, b), undefined);
    assertEquals(await updateToken(db, token.id, b, { name: "stolen" }), undefined);
    assertEquals(await regenerateTokenKey(db, secret, token.id, b), undefined);
    assertEquals((await getToken(db, token.id, a))?.name, "a-token");
    assertEquals((await listTokens(db, { userId: b, offset: 0, limit: 10 })).total, 0);
    assertEquals(
      (await listTokens(db, { userId: a, offset: 0, limit: 10, keyword: "%" })).total,
      0,
      "% is literal",
    );
  } finally {
    await db.close();
  }
});

storeTest("channel keys are encrypted at rest and abilities follow the channel", async (f) => {
  const db = await f.openMigrated();
  try {
    const id = await insertChannel(db, secret, {
      type: 1,
      name: "c1",
      key: "sk-CANARY-upstream",
      models: "gpt-4o,gpt-4o-mini",
      group: "default,vip",
      priority: 5,
      weight: 3,
    });
    assert(!(await dumpAll(db)).includes("CANARY"));
    const [withKey] = await loadChannelsWithKeys(db, secret, id);
    assertEquals(withKey.key, "sk-CANARY-upstream");
    const abilities = await db.query(
      `SELECT "group", model, enabled, priority FROM abilities ORDER BY "group", model`,
    );
    assertEquals(abilities.length, 4);
    assert(abilities.every((a) => asBool(a.enabled) && asInt(a.priority) === 5));
    await updateChannel(db, secret, id, { models: "gpt-4o", group: "vip" });
    assertEquals((await db.query("SELECT model FROM abilities")).map((r) => r.model), ["gpt-4o"]);
    await setChannelStatus(db, id, ChannelStatus.autoDisabled);
    assertEquals(asBool((await queryOne(db, "SELECT enabled FROM abilities"))?.enabled), false);
    assertEquals(
      (await loadChannelsWithKeys(db, secret, id))[0].key,
      "sk-CANARY-upstream",
      "key kept on update",
    );
  } finally {
    await db.close();
  }
});

storeTest("user quota never goes below zero and security-relevant changes bump auth_version", async (f) => {
  const db = await f.openMigrated();
  try {
    const id = await insertUser(db, { username: "q", passwordHash: "x", quota: 100 });
    assert(await addUserQuota(db, id, -60));
    assert(!await addUserQuota(db, id, -60), "would overdraw");
    assertEquals((await getUser(db, id))?.quota, 40);
    const before = (await getUser(db, id))!.authVersion;
    await updateUser(db, id, { displayName: "Q" });
    assertEquals((await getUser(db, id))!.authVersion, before, "a display name change keeps sessions");
    await updateUser(db, id, { role: Role.admin });
    assertEquals((await getUser(db, id))!.authVersion, before + 1);
    // Unknown fields are ignored: no mass assignment of quota through the patch.
    await updateUser(db, id, { quota: 1e9 } as never);
    assertEquals((await getUser(db, id))?.quota, 40);
  } finally {
    await db.close();
  }
});

storeTest("50 concurrent redemptions of one code: exactly one succeeds and credits once", async (f) => {
  const db = await f.openMigrated();
  const other = await f.open();
  try {
    const users = await Promise.all(
      Array.from({ length: 10 }, (_, i) => insertUser(db, { username: `r${i}`, passwordHash: "x" })),
    );
    const [code] = await createRedemptions(db, secret, {
      userId: users[0],
      name: "promo",
      quota: 1000,
      count: 1,
      expiredTime: 0,
    });
    const results = await Promise.all(
      Array.from(
        { length: 50 },
        (_, i) => redeemCode(i % 2 ? other : db, secret, code, users[i % 10], false),
      ),
    );
    assertEquals(results.filter((r) => r.ok).length, 1);
    const total = await queryOne(db, "SELECT SUM(quota) AS s FROM users");
    assertEquals(asInt(total?.s), 1000);
    assertEquals(asInt((await queryOne(db, `SELECT status FROM redemptions`))?.status), 3);
  } finally {
    await other.close();
    await db.close();
  }
});
