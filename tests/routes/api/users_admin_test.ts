/** User administration: paging and search, create, update, quota changes with manage log rows. */
import { assert, assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast, login } from "../../support/console_client.ts";

appTest(
  "admins list (paged, sorted) and search users; wildcards are literal; no secrets in rows",
  async (h) => {
    const { admin, alice } = await cast(h);
    const page = await admin.call("GET", "/api/user/?p=1&page_size=2");
    assertEquals([page.body.data.total, page.body.data.items.length, page.body.data.page], [4, 2, 1]);
    const byName = await admin.call("GET", "/api/user/?sort_by=username&sort_order=asc&page_size=10");
    assertEquals(byName.body.data.items.map((u: { username: string }) => u.username), [
      "admin1",
      "alice",
      "bob",
      "root",
    ]);
    const found = await admin.call("GET", "/api/user/search?keyword=ali");
    assertEquals(found.body.data.items.map((u: { id: number }) => u.id), [alice.userId]);
    assertEquals((await admin.call("GET", "/api/user/search?keyword=%25")).body.data.total, 0);
    assertEquals((await admin.call("GET", "/api/user/search?keyword=_")).body.data.total, 0);
    assertEquals((await admin.call("GET", "/api/user/search?role=100")).body.data.total, 1);
    for (const u of page.body.data.items) {
      assert(!("password" in u) && !("access_token" in u) && !("access_token_hash" in u));
    }
    assertEquals((await admin.call("GET", "/api/user/999999")).status, 404);
  },
);

appTest("admins create and update users; a new password ends the user's sessions", async (h) => {
  const { root, admin } = await cast(h);
  const made = await admin.call("POST", "/api/user/", {
    username: "dan",
    password: "dan-password",
    display_name: "Dan",
  });
  assertEquals(made.body.success, true);
  const dan = await login(h, "dan", "dan-password");
  const up = await admin.call("PUT", "/api/user/", {
    id: made.body.data.id,
    display_name: "Daniel",
    group: "vip",
    quota: 5000,
    remark: "vip",
  });
  assertEquals([up.body.data.display_name, up.body.data.group, up.body.data.quota], ["Daniel", "vip", 5000]);
  assertEquals((await dan.call("GET", "/api/user/self")).status, 200, "profile edits keep sessions");
  assertEquals(
    (await admin.call("PUT", `/api/user/${made.body.data.id}`, { role: 10 })).status,
    400,
    "roles change via manage",
  );
  await admin.call("PUT", `/api/user/${made.body.data.id}`, { password: "reset-password-1" });
  assertEquals((await dan.call("GET", "/api/user/self")).status, 401);
  await login(h, "dan", "reset-password-1");
  const logs = await h.deps.db.query<{ content: string }>("SELECT content FROM logs WHERE type = 3");
  assertEquals(logs.length, 1, "the quota override is logged");
  assertStringIncludes(logs[0].content, "changed the quota");
  assertEquals(
    (await root.call("POST", "/api/user/", { username: "dan", password: "dan-password" })).status,
    409,
  );
});

appTest("manage add_quota adds, subtracts (never below zero) and overrides, each logged", async (h) => {
  const { admin, alice } = await cast(h);
  const quota = async () => (await alice.call("GET", "/api/user/self")).body.data.quota;
  const start = await quota();
  const manage = (mode: string, value: number) =>
    admin.call("POST", "/api/user/manage", { id: alice.userId, action: "add_quota", mode, value });
  assertEquals((await manage("add", 300)).body.success, true);
  assertEquals(await quota(), start + 300);
  assertEquals((await manage("subtract", 100)).body.success, true);
  assertEquals(await quota(), start + 200);
  assertEquals((await manage("subtract", start + 201)).status, 400, "no overdraft");
  assertEquals((await manage("override", 42)).body.success, true);
  assertEquals(await quota(), 42);
  assertEquals(h.deps.catalog.user(alice.userId)?.quota, 42, "the catalog follows");
  assertEquals((await manage("add", 0)).status, 400);
  assertEquals((await manage("multiply", 2)).status, 400);
  assertEquals((await manage("add", 1e18)).status, 400);
  const logs = await h.deps.db.query("SELECT content FROM logs WHERE type = 3 AND user_id = ?", [
    alice.userId,
  ]);
  assertEquals(logs.length, 3);
  assertEquals(
    (await admin.call("POST", "/api/user/manage", { id: alice.userId, action: "explode" })).status,
    400,
  );
  assertEquals((await admin.call("POST", "/api/user/manage", { id: 987654, action: "disable" })).status, 404);
});

appTest("administrators see a user's preferences but not the secrets kept in their settings", async (h) => {
  const { admin, alice } = await cast(h);
  await h.deps.db.exec("UPDATE users SET setting = ? WHERE id = ?", [
    JSON.stringify({
      notify_type: "webhook",
      webhook_url: "https://hook.example",
      webhook_secret: "whsec-CANARY",
      gotify_token: "gt-CANARY",
      bark_url: "https://api.day.app/bark-CANARY/{{title}}",
      language: "fr",
    }),
    alice.userId,
  ]);
  await h.deps.cache.publish({ kind: "user", id: alice.userId });
  const seen = await admin.call("GET", `/api/user/${alice.userId}`);
  assertEquals(JSON.parse(seen.body.data.setting), {
    notify_type: "webhook",
    webhook_url: "https://hook.example",
    language: "fr",
  });
  assert(!(await admin.call("GET", "/api/user/search?keyword=alice")).text.includes("CANARY"));
  const own = JSON.parse((await alice.call("GET", "/api/user/self")).body.data.setting);
  assertEquals(
    [own.webhook_secret, own.gotify_token, own.bark_url, own.language],
    ["", "", "https://api.day.app/****/{{title}}", "fr"],
    "the user sees their own preferences, the secrets write-only and the Bark URL masked",
  );
});
