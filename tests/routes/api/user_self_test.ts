/** The signed-in user's own account: mass assignment ignored (T26), profile edits, preferences, deletion. */
import { assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { anonymous, cast, login } from "../../support/console_client.ts";
import { asInt, queryOne } from "../../../store/db.ts";

appTest("PUT /api/user/self ignores quota, role, group and status", async (h) => {
  const { alice } = await cast(h);
  const before = (await alice.call("GET", "/api/user/self")).body.data;
  const res = await alice.call("PUT", "/api/user/self", {
    quota: 1e12,
    role: 100,
    group: "vip",
    status: 1,
    used_quota: -5,
    aff_quota: 999,
    access_token: "mine-now",
    display_name: "Alice A.",
  });
  assertEquals(res.body.success, true);
  const after = (await alice.call("GET", "/api/user/self")).body.data;
  assertEquals(
    [after.quota, after.role, after.group, after.status, after.used_quota, after.aff_quota],
    [before.quota, 1, "default", 1, 0, 0],
  );
  assertEquals(after.display_name, "Alice A.");
  const row = await queryOne(
    h.deps.db,
    'SELECT quota, role, "group", access_token_hash FROM users WHERE id = ?',
    [
      alice.userId,
    ],
  );
  assertEquals([asInt(row?.quota), asInt(row?.role), row?.group, row?.access_token_hash ?? null], [
    before.quota,
    1,
    "default",
    null,
  ]);
  assertEquals((await alice.call("GET", "/api/user/")).status, 403, "still a common user");
  assertEquals(h.deps.catalog.user(alice.userId)?.role, 1);
});

appTest("profile edits: username rules, display name, console preferences", async (h) => {
  const { alice, bob } = await cast(h);
  const taken = await alice.call("PUT", "/api/user/self", { username: "bob" });
  assertEquals(taken.status, 409);
  assertEquals((await alice.call("PUT", "/api/user/self", { username: "x".repeat(21) })).status, 400);
  assertEquals((await alice.call("PUT", "/api/user/self", { display_name: "y".repeat(21) })).status, 400);
  assertEquals((await alice.call("PUT", "/api/user/self", { username: "alice2" })).body.success, true);
  await login(h, "alice2", "alice-password");
  const prefs = await alice.call("PUT", "/api/user/self", {
    sidebar_modules: '{"chat":false}',
    language: "fr",
  });
  assertEquals(prefs.body.success, true);
  const self = (await alice.call("GET", "/api/user/self")).body.data;
  assertEquals(self.sidebar_modules, '{"chat":false}');
  assertEquals(JSON.parse(self.setting).language, "fr");
  assertEquals((await bob.call("GET", "/api/user/self")).body.data.username, "bob");
});

appTest("deleting oneself ends sessions and access; root cannot delete itself", async (h) => {
  const { root, bob } = await cast(h);
  const token = (await bob.call("POST", "/api/user/token")).body.data;
  const gone = await bob.call("DELETE", "/api/user/self");
  assertEquals(gone.body.success, true);
  assertEquals((await bob.call("GET", "/api/user/self")).status, 401);
  assertEquals(
    (await anonymous(h, "GET", "/api/user/self", undefined, { authorization: token })).status,
    401,
  );
  assertEquals(
    (await anonymous(h, "POST", "/api/user/login", { username: "bob", password: "bob-password" })).status,
    401,
  );
  const refused = await root.call("DELETE", "/api/user/self");
  assertEquals(refused.status, 403);
  assertStringIncludes(refused.body.message, "root");
});

appTest(
  "registration follows RegisterEnabled and PasswordRegisterEnabled and grants QuotaForNewUser",
  async (h) => {
    const { root } = await cast(h);
    await root.call("PUT", "/api/option/", { key: "QuotaForNewUser", value: 1234 });
    const ok = await anonymous(h, "POST", "/api/user/register", {
      username: "carol",
      password: "carol-password",
    });
    assertEquals(ok.body.success, true, ok.text);
    const carol = await login(h, "carol", "carol-password");
    const self = (await carol.call("GET", "/api/user/self")).body.data;
    assertEquals([self.quota, self.role, self.group], [1234, 1, "default"]);
    assertEquals(
      (await anonymous(h, "POST", "/api/user/register", { username: "carol", password: "other-pass-1" }))
        .status,
      409,
    );
    assertEquals(
      (await anonymous(h, "POST", "/api/user/register", { username: "dave", password: "short" })).status,
      400,
    );
    await root.call("PUT", "/api/option/", { key: "PasswordRegisterEnabled", value: false });
    assertEquals(
      (await anonymous(h, "POST", "/api/user/register", { username: "erin", password: "erin-password" }))
        .status,
      403,
    );
    await root.call("PUT", "/api/option/", { key: "PasswordRegisterEnabled", value: true });
    await root.call("PUT", "/api/option/", { key: "RegisterEnabled", value: "false" });
    const closed = await anonymous(h, "POST", "/api/user/register", {
      username: "erin",
      password: "erin-password",
    });
    assertEquals(closed.status, 403);
    assertStringIncludes(closed.body.message, "closed");
    await root.call("PUT", "/api/option/", { key: "PasswordLoginEnabled", value: "false" });
    assertEquals(
      (await anonymous(h, "POST", "/api/user/login", { username: "carol", password: "carol-password" }))
        .status,
      403,
    );
  },
);
