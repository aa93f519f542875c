/**
 * Issue 14, item 6: an administrator cannot credit themself by any route. A code is not redeemable by
 * the admin who set its value (who created it, or last changed its quota); the refusal is a 403 that
 * leaves the code unused for someone else. `POST /api/user/manage add_quota` and `PUT /api/user/` with a
 * new quota are refused on one's own account. Root is the one exception: the money is root's own (a
 * self-hoster's root must be able to top itself up), and no one else can credit root.
 */
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { type AppHarness, appTest } from "../support/app.ts";
import { type ApiClient, cast, login } from "../support/console_client.ts";
import { asInt, queryOne } from "../../store/db.ts";
import { hashRedemptionCode } from "../../crypto/redemption_code.ts";

const quotaOf = async (client: ApiClient) => (await client.call("GET", "/api/user/self")).body.data.quota;

async function newCode(by: ApiClient, quota: number): Promise<string> {
  const res = await by.call("POST", "/api/redemption/", { name: "self", quota });
  assertEquals(res.body?.success, true, res.text);
  return res.body.data[0];
}

async function codeRow(h: AppHarness, key: string) {
  const row = await queryOne(h.deps.db, `SELECT status, used_user_id FROM redemptions WHERE "key" = ?`, [
    hashRedemptionCode(h.deps.secrets.cryptoSecret, key),
  ]);
  return [asInt(row?.status), asInt(row?.used_user_id)];
}

async function assertRefusedTopup(h: AppHarness, who: ApiClient, key: string): Promise<void> {
  const before = await quotaOf(who);
  const res = await who.call("POST", "/api/user/topup", { key });
  assertEquals(res.status, 403, res.text);
  assertEquals(res.body.success, false);
  assertStringIncludes(res.body.message, "You cannot redeem a code");
  assertEquals(await quotaOf(who), before, "no credit");
  assertEquals(await codeRow(h, key), [1, 0], "the code is still unused");
}

appTest("an admin cannot redeem a code they created; another user can", async (h) => {
  const { admin, alice } = await cast(h);
  const key = await newCode(admin, 5000);
  await assertRefusedTopup(h, admin, key);
  const before = await quotaOf(alice);
  const res = await alice.call("POST", "/api/user/topup", { key });
  assertEquals([res.status, res.body.data], [200, 5000], res.text);
  assertEquals(await quotaOf(alice), before + 5000);
});

appTest("root, whose money it is, may redeem a code root created", async (h) => {
  const { root } = await cast(h);
  const before = await quotaOf(root);
  const res = await root.call("POST", "/api/user/topup", { key: await newCode(root, 5000) });
  assertEquals([res.status, res.body.data], [200, 5000], res.text);
  assertEquals(await quotaOf(root), before + 5000);
});

appTest("the refusal is worded in the caller's language", async (h) => {
  const { admin } = await cast(h);
  const key = await newCode(admin, 10);
  const res = await admin.call("POST", "/api/user/topup?lang=fr", { key });
  assertEquals(res.status, 403);
  assertEquals(res.body.message.includes("You cannot"), false, res.body.message);
});

appTest("an admin who raises the quota of another admin's code cannot redeem it", async (h) => {
  const { root, admin } = await cast(h);
  const key = await newCode(root, 10);
  const { id } = (await admin.call("GET", `/api/redemption/search?keyword=${key}`)).body.data.items[0];
  const edit = await admin.call("PUT", "/api/redemption/", { id, name: "self", quota: 1_000_000 });
  assertEquals(edit.body?.success, true, edit.text);
  await assertRefusedTopup(h, admin, key);
});

appTest("a demoted admin still cannot redeem a code they created while admin", async (h) => {
  const { root, admin } = await cast(h);
  const key = await newCode(admin, 5000);
  await root.call("POST", "/api/user/manage", { id: admin.userId, action: "demote" });
  await assertRefusedTopup(h, await login(h, "admin1", "admin1-password"), key);
});

appTest("no admin changes their own quota through user management; root may", async (h) => {
  const { root, admin } = await cast(h);
  for (const who of [admin]) {
    const before = await quotaOf(who);
    const attempts: [string, string, unknown][] = [
      ["POST", "/api/user/manage", { id: who.userId, action: "add_quota", mode: "add", value: 1000 }],
      ["POST", "/api/user/manage", { id: who.userId, action: "add_quota", mode: "override", value: 1e9 }],
      ["PUT", "/api/user/", { id: who.userId, quota: before + 1000 }],
      ["PUT", `/api/user/${who.userId}`, { quota: before + 1000 }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await who.call(method, path, body);
      assertEquals(res.status, 403, `${method} ${path} ${JSON.stringify(body)}: ${res.text}`);
    }
    assertEquals(await quotaOf(who), before, "own quota unchanged");
  }
  const rootBefore = await quotaOf(root);
  const own = await root.call("POST", "/api/user/manage", {
    id: root.userId,
    action: "add_quota",
    mode: "add",
    value: 1000,
  });
  assertEquals(own.body?.success, true, own.text);
  assertEquals(await quotaOf(root), rootBefore + 1000);
  // Root still edits its own profile fields, and still credits others.
  const edit = await root.call("PUT", "/api/user/", { id: root.userId, display_name: "Root" });
  assertEquals(edit.body?.success, true, edit.text);
  const credit = await root.call("POST", "/api/user/manage", {
    id: admin.userId,
    action: "add_quota",
    mode: "add",
    value: 1000,
  });
  assertEquals(credit.body?.success, true, credit.text);
});
