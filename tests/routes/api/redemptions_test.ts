/** Redemption codes: admin CRUD and the redeem race (T31): one code, 50 concurrent attempts, one credit. */
import { assert, assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { type ApiClient, cast, seedUser } from "../../support/console_client.ts";
import { asInt, queryOne } from "../../../store/db.ts";
import { hashRedemptionCode } from "../../../crypto/redemption_code.ts";

appTest(
  "50 concurrent redemptions of one code by 10 users: exactly one succeeds, one credit, one log row",
  async (h) => {
    const { root, alice, bob } = await cast(h);
    const users: ApiClient[] = [alice, bob];
    for (let i = 0; i < 8; i++) users.push(await seedUser(h, `racer${i}`));
    const [code] = (await root.call("POST", "/api/redemption/", { name: "race", quota: 777 })).body.data;
    const before = new Map<number, number>();
    for (const u of users) before.set(u.userId, (await u.call("GET", "/api/user/self")).body.data.quota);
    const attempts = await Promise.all(
      Array.from(
        { length: 50 },
        (_, i) => users[i % users.length].call("POST", "/api/user/topup", { key: code }),
      ),
    );
    const wins = attempts.filter((a) => a.body.success);
    assertEquals(wins.length, 1, attempts.map((a) => a.text).join("\n"));
    assertEquals(wins[0].body.data, 777);
    for (const a of attempts.filter((a) => !a.body.success)) {
      assertEquals(a.status, 400);
      assertStringIncludes(a.body.message, "Redemption failed");
    }
    let credited = 0;
    for (const u of users) {
      const quota = (await u.call("GET", "/api/user/self")).body.data.quota;
      credited += quota - before.get(u.userId)!;
    }
    assertEquals(credited, 777, "credited exactly once");
    const logs = await h.deps.db.query<{ user_id: unknown; quota: unknown; content: string }>(
      "SELECT user_id, quota, content FROM logs WHERE type = 1",
    );
    assertEquals(logs.length, 1);
    assertEquals(asInt(logs[0].quota), 777);
    const row = await queryOne<{ status: unknown; used_user_id: unknown }>(
      h.deps.db,
      `SELECT status, used_user_id FROM redemptions WHERE "key" = ?`,
      [hashRedemptionCode(h.deps.secrets.cryptoSecret, code)],
    );
    assertEquals(asInt(row?.status), 3);
    assertEquals(asInt(row?.used_user_id), asInt(logs[0].user_id));
    // The catalog (what the relay reads) saw the new balance.
    const winner = asInt(logs[0].user_id);
    assertEquals(h.deps.catalog.user(winner)?.quota, before.get(winner)! + 777);
  },
);

appTest("administrators create, list, search, update, disable and delete codes", async (h) => {
  const { root, admin, alice } = await cast(h);
  const made = await admin.call("POST", "/api/redemption/", { name: "promo", quota: 500, count: 3 });
  assertEquals(made.body.data.length, 3);
  assert(made.body.data.every((k: string) => /^[A-Za-z0-9]{32}$/.test(k)));
  const list = await admin.call("GET", "/api/redemption/?p=1&page_size=2");
  assertEquals([list.body.data.total, list.body.data.items.length, list.body.data.page_size], [3, 2, 2]);
  assertEquals(
    (await admin.call("GET", "/api/redemption/search?keyword=%25")).body.data.total,
    0,
    "% is literal",
  );
  assertEquals((await admin.call("GET", "/api/redemption/search?keyword=pro")).body.data.total, 3);
  // Newest first; lists never show the codes, so the created ones are used to redeem.
  const id = list.body.data.items[0].id;
  const [, otherCode, firstCode] = made.body.data;
  const renamed = await admin.call("PUT", "/api/redemption/", { id, name: "renamed", quota: 600 });
  assertEquals([renamed.body.data.name, renamed.body.data.quota], ["renamed", 600]);
  const disabled = await admin.call("PUT", "/api/redemption/?status_only=true", { id, status: 2 });
  assertEquals(disabled.body.data.status, 2);
  assertEquals((await alice.call("POST", "/api/user/topup", { key: firstCode })).status, 400);
  assertEquals((await admin.call("DELETE", "/api/redemption/invalid")).body.data, 1);
  assertEquals((await admin.call("GET", `/api/redemption/${id}`)).status, 404);
  const other = list.body.data.items[1];
  assertEquals((await alice.call("POST", "/api/user/topup", { key: otherCode })).body.data, 500);
  assertEquals(
    (await alice.call("POST", "/api/user/topup", { key: otherCode })).status,
    400,
    "used codes fail",
  );
  assertEquals((await root.call("DELETE", `/api/redemption/${other.id}`)).body.success, true);
  assertEquals((await root.call("DELETE", `/api/redemption/${other.id}`)).status, 404);
  for (
    const [body, fragment] of [
      [{ name: "", quota: 1 }, "1 to 20"],
      [{ name: "x".repeat(21), quota: 1 }, "1 to 20"],
      [{ name: "n", quota: 0 }, "greater than 0"],
      [{ name: "n", quota: 1, count: 101 }, "between 1 and 100"],
      [{ name: "n", quota: 1, expired_time: 1000 }, "past"],
    ] as const
  ) {
    const res = await admin.call("POST", "/api/redemption/", body);
    assertEquals(res.status, 400, JSON.stringify(body));
    assertStringIncludes(res.body.message, fragment);
  }
});
