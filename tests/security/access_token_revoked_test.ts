/**
 * Issue 14, item 3: a console access token dies with every change that ends the user's sessions — a
 * password change (by the user, with a cookie or with the token itself, or an admin's reset), an
 * admin's disable (and stays dead after re-enabling), a role change, a delete. After each, the token
 * answers 401; a freshly generated one works.
 */
import { assertEquals } from "../support/assert.ts";
import { type AppHarness, appTest } from "../support/app.ts";
import { type ApiClient, cast, login, tokenClient } from "../support/console_client.ts";
import { queryOne } from "../../store/db.ts";

async function accessTokenOf(h: AppHarness, client: ApiClient): Promise<ApiClient> {
  const res = await client.call("POST", "/api/user/token");
  assertEquals(res.body?.success, true, res.text);
  const token = tokenClient(h, res.body.data as string, client.userId);
  assertEquals((await token.call("GET", "/api/user/self")).status, 200, "the new token works");
  return token;
}

async function assertRevoked(token: ApiClient, what: string): Promise<void> {
  const res = await token.call("GET", "/api/user/self");
  assertEquals(res.status, 401, `${what}: ${res.text}`);
}

appTest("a password change via PUT /api/user/self (session) revokes the access token", async (h) => {
  const { alice } = await cast(h);
  const token = await accessTokenOf(h, alice);
  const res = await alice.call("PUT", "/api/user/self", {
    password: "alice-new-password-1",
    original_password: "alice-password",
  });
  assertEquals(res.body?.success, true, res.text);
  await assertRevoked(token, "after own password change");
  const again = await login(h, "alice", "alice-new-password-1");
  await accessTokenOf(h, again);
});

appTest("a password change made with the access token itself revokes that token", async (h) => {
  const { alice } = await cast(h);
  const token = await accessTokenOf(h, alice);
  const res = await token.call("PUT", "/api/user/self", {
    password: "alice-new-password-1",
    original_password: "alice-password",
  });
  assertEquals(res.body?.success, true, res.text);
  await assertRevoked(token, "after a password change made with it");
});

appTest("an admin's disable revokes the access token, and re-enabling does not revive it", async (h) => {
  const { admin, alice } = await cast(h);
  const token = await accessTokenOf(h, alice);
  const off = await admin.call("POST", "/api/user/manage", { id: alice.userId, action: "disable" });
  assertEquals(off.body?.success, true, off.text);
  await assertRevoked(token, "after disable");
  const on = await admin.call("POST", "/api/user/manage", { id: alice.userId, action: "enable" });
  assertEquals(on.body?.success, true, on.text);
  await assertRevoked(token, "after disable then enable");
});

appTest("a role change (demotion, promotion) revokes the access token", async (h) => {
  const { root, admin, alice } = await cast(h);
  const adminToken = await accessTokenOf(h, admin);
  const down = await root.call("POST", "/api/user/manage", { id: admin.userId, action: "demote" });
  assertEquals(down.body?.success, true, down.text);
  await assertRevoked(adminToken, "after demotion");

  const aliceToken = await accessTokenOf(h, alice);
  const up = await root.call("POST", "/api/user/manage", { id: alice.userId, action: "promote" });
  assertEquals(up.body?.success, true, up.text);
  await assertRevoked(aliceToken, "after promotion");
});

appTest("an admin's password reset via PUT /api/user/ revokes the access token", async (h) => {
  const { admin, alice } = await cast(h);
  const token = await accessTokenOf(h, alice);
  const res = await admin.call("PUT", "/api/user/", { id: alice.userId, password: "reset-by-admin-1" });
  assertEquals(res.body?.success, true, res.text);
  await assertRevoked(token, "after admin password reset");

  const again = await accessTokenOf(h, await login(h, "alice", "reset-by-admin-1"));
  const byPath = await admin.call("PUT", `/api/user/${alice.userId}`, { password: "reset-by-admin-2" });
  assertEquals(byPath.body?.success, true, byPath.text);
  await assertRevoked(again, "after admin password reset by path");
});

appTest("other edits (display name, settings) leave the access token working", async (h) => {
  const { admin, alice } = await cast(h);
  const token = await accessTokenOf(h, alice);
  assertEquals((await alice.call("PUT", "/api/user/self", { display_name: "Alice" })).body?.success, true);
  assertEquals(
    (await admin.call("PUT", "/api/user/", { id: alice.userId, remark: "vip" })).body?.success,
    true,
  );
  assertEquals((await token.call("GET", "/api/user/self")).status, 200);
});

appTest("deleting a user (by an admin or by themself) clears the stored access token", async (h) => {
  const { admin, alice, bob } = await cast(h);
  const aliceToken = await accessTokenOf(h, alice);
  const bobToken = await accessTokenOf(h, bob);
  assertEquals((await admin.call("DELETE", `/api/user/${alice.userId}`)).body?.success, true);
  assertEquals((await bob.call("DELETE", "/api/user/self")).body?.success, true);
  await assertRevoked(aliceToken, "after admin delete");
  await assertRevoked(bobToken, "after self delete");
  for (const id of [alice.userId, bob.userId]) {
    const row = await queryOne(h.deps.db, "SELECT access_token_hash, access_token FROM users WHERE id = ?", [
      id,
    ]);
    assertEquals([row?.access_token_hash ?? null, row?.access_token ?? null], [null, null], `user ${id}`);
  }
});
