/**
 * Issue 14, "redemption codes stored in clear": codes are stored only as keyed hashes (`h1:` + 29
 * characters, in New API's `char(32)` column), shown once by the create answer, never by a list, a
 * search or a detail read; they redeem by the plaintext. Codes of an adopted New API database are hashed
 * in place at start and their unused ones still redeem.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { appTest, buildHarness } from "../support/app.ts";
import { storeTest, testSecrets } from "../support/stores.ts";
import { cast } from "../support/console_client.ts";
import { migrate } from "../../store/migrate.ts";
import { allTables } from "../../store/schema/index.ts";
import type { Db } from "../../store/db.ts";

const STORED = /^h1:[A-Za-z0-9_-]{29}$/;

async function dumpRedemptions(db: Db): Promise<{ text: string; keys: string[] }> {
  const rows = await db.query<{ key: string }>("SELECT * FROM redemptions");
  return { text: JSON.stringify(rows), keys: rows.map((r) => String(r.key).trim()) };
}

appTest("redemption codes are stored as keyed hashes, shown once, and redeem by the plaintext", async (h) => {
  const { root, alice } = await cast(h);
  const made = await root.call("POST", "/api/redemption/", { name: "gift", quota: 321, count: 3 });
  const codes: string[] = made.body.data;
  assertEquals(codes.length, 3, made.text);
  assert(codes.every((c) => /^[A-Za-z0-9]{32}$/.test(c)), "the create answer holds the codes");

  const dump = await dumpRedemptions(h.deps.db);
  for (const code of codes) assert(!dump.text.includes(code), `${code.slice(0, 6)}… is stored in clear`);
  assertEquals(dump.keys.length, 3);
  assert(dump.keys.every((k) => STORED.test(k)), `stored keys: ${dump.keys.join(", ")}`);

  const list = await root.call("GET", "/api/redemption/");
  const items: { id: number; key: unknown }[] = list.body.data.items;
  assertEquals(items.length, 3);
  const reads = [
    list.text,
    (await root.call("GET", "/api/redemption/search?keyword=gift")).text,
    ...await Promise.all(items.map(async (r) => (await root.call("GET", `/api/redemption/${r.id}`)).text)),
  ];
  for (const text of reads) {
    for (const code of codes) assert(!text.includes(code), `a read returned ${code.slice(0, 6)}…`);
    for (const key of dump.keys) assert(!text.includes(key), "a read returned a stored hash");
  }
  assert(items.every((r) => typeof r.key === "string" && r.key !== ""), "key stays a non-empty string");
  // An administrator holding a code can still find its row.
  const found = await root.call("GET", `/api/redemption/search?keyword=${codes[1]}`);
  assertEquals(found.body.data.items.length, 1, found.text);

  const before = (await alice.call("GET", "/api/user/self")).body.data.quota;
  const redeemed = await alice.call("POST", "/api/user/topup", { key: codes[1] });
  assertEquals(redeemed.body.data, 321, redeemed.text);
  assertEquals((await alice.call("GET", "/api/user/self")).body.data.quota, before + 321);
  assertEquals((await alice.call("POST", "/api/user/topup", { key: codes[1] })).status, 400, "once only");
  const hashAsCode = await alice.call("POST", "/api/user/topup", { key: dump.keys[0] });
  assertEquals(hashAsCode.status, 400, "a stored hash is not a code");
});

storeTest(
  "a New API database's plaintext codes are hashed at start and unused ones still redeem",
  async (f) => {
    const unused = "AdoptedUnusedCode000000000000001";
    const used = "AdoptedUsedCode00000000000000002";
    const seed = await f.open();
    try {
      // New API's schema and rows as New API writes them, before any of our migrations ran.
      await migrate(seed, allTables, [], { secrets: testSecrets });
      await seed.exec(
        `INSERT INTO redemptions (user_id, "key", status, name, quota, created_time, expired_time)
       VALUES (1, ?, 1, 'adopted', 4242, 1700000000, 0), (1, ?, 3, 'spent', 10, 1700000000, 0)`,
        [unused, used],
      );
    } finally {
      await seed.close();
    }
    const h = await buildHarness(f);
    try {
      const dump = await dumpRedemptions(h.deps.db);
      for (const code of [unused, used]) {
        assert(
          !dump.text.includes(code),
          `${code} is still stored in clear`,
        );
      }
      assert(dump.keys.every((k) => STORED.test(k)), `stored keys: ${dump.keys.join(", ")}`);

      const { alice } = await cast(h);
      const redeemed = await alice.call("POST", "/api/user/topup", { key: unused });
      assertEquals(redeemed.body.data, 4242, redeemed.text);
      assertEquals((await alice.call("POST", "/api/user/topup", { key: used })).status, 400);
    } finally {
      await h.close();
    }
  },
);
