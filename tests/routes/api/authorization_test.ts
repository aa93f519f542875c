/**
 * Object- and function-level authorization (T24, T25): another user's tokens answer 404, admin routes
 * answer 403 to users, root routes 403 to admins, and an admin can never act on an admin or root.
 */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { anonymous, cast } from "../../support/console_client.ts";

appTest("a user cannot read, change, regenerate or delete another user's token (404)", async (h) => {
  const { alice, bob } = await cast(h);
  const created = await alice.call("POST", "/api/token/", { name: "alice-token", remain_quota: 10 });
  const id = created.body.data.id;
  const attempts: [string, string, unknown?][] = [
    ["GET", `/api/token/${id}`],
    ["PUT", "/api/token/", { id, name: "stolen" }],
    ["PUT", "/api/token/?status_only=true", { id, status: 2 }],
    ["DELETE", `/api/token/${id}`],
    ["POST", `/api/token/${id}/regenerate`],
    ["POST", `/api/token/${id}/key`],
  ];
  for (const [method, path, body] of attempts) {
    const res = await bob.call(method, path, body);
    assertEquals(res.status, 404, `${method} ${path}: ${res.text}`);
    assertEquals(res.body.success, false);
  }
  const batch = await bob.call("POST", "/api/token/batch", { ids: [id] });
  assertEquals(batch.body.data, 0, "batch delete skips tokens of others");
  assertEquals((await bob.call("GET", "/api/token/")).body.data.total, 0, "lists are owner-filtered");
  assertEquals((await bob.call("GET", "/api/token/search?keyword=alice")).body.data.total, 0);
  const mine = await alice.call("GET", `/api/token/${id}`);
  assertEquals(mine.body.data.name, "alice-token", "nothing changed");
  assertEquals(mine.body.data.status, 1);
});

appTest("common users get 403 on admin routes and redemptions; anonymous callers get 401", async (h) => {
  const { root, alice } = await cast(h);
  const code = (await root.call("POST", "/api/redemption/", { name: "gift", quota: 100 })).body.data[0];
  const codeId = (await root.call("GET", "/api/redemption/")).body.data.items[0].id;
  const adminRoutes: [string, string, unknown?][] = [
    ["GET", "/api/user/"],
    ["GET", "/api/user/search?keyword=a"],
    ["GET", `/api/user/${root.userId}`],
    ["POST", "/api/user/", { username: "x1", password: "password-1" }],
    ["PUT", "/api/user/", { id: alice.userId, quota: 1e9 }],
    ["DELETE", `/api/user/${root.userId}`],
    ["POST", "/api/user/manage", { id: alice.userId, action: "promote" }],
    ["GET", "/api/channel/"],
    ["GET", "/api/channel/models"],
    ["POST", "/api/channel/", { type: 1, name: "c", key: "k" }],
    ["GET", "/api/redemption/"],
    ["GET", `/api/redemption/${codeId}`],
    ["POST", "/api/redemption/", { name: "n", quota: 5 }],
    ["DELETE", `/api/redemption/${codeId}`],
    ["GET", "/api/group/"],
    ["GET", "/api/option/"],
    ["PUT", "/api/option/", { key: "QuotaForNewUser", value: "1" }],
  ];
  for (const [method, path, body] of adminRoutes) {
    const res = await alice.call(method, path, body);
    assertEquals(res.status, 403, `${method} ${path}: ${res.text}`);
    assertEquals(res.body.success, false);
    assertEquals((await anonymous(h, method, path, body)).status, 401, `anonymous ${method} ${path}`);
  }
  // The code is still there, unused, and redeems.
  const after = await root.call("GET", `/api/redemption/${codeId}`);
  assertEquals([after.body.data.id, after.body.data.status], [codeId, 1]);
  assertEquals((await alice.call("POST", "/api/user/topup", { key: code })).body.data, 100);
});

appTest("an admin gets 403 on root routes and on any admin or root user", async (h) => {
  const { root, admin, alice } = await cast(h);
  const other = await root.call("POST", "/api/user/", { username: "admin2", password: "admin2-password" });
  const admin2 = other.body.data.id;
  await root.call("POST", "/api/user/manage", { id: admin2, action: "promote" });
  assertEquals((await admin.call("GET", "/api/option/")).status, 403);
  assertEquals(
    (await admin.call("PUT", "/api/option/", { key: "RegisterEnabled", value: "false" })).status,
    403,
  );
  for (const target of [root.userId, admin2, admin.userId]) {
    const attempts: [string, string, unknown?][] = [
      ["GET", `/api/user/${target}`],
      ["PUT", "/api/user/", { id: target, display_name: "pwned" }],
      ["PUT", `/api/user/${target}`, { password: "takeover-password" }],
      ["DELETE", `/api/user/${target}`],
      ["POST", "/api/user/manage", { id: target, action: "disable" }],
      ["POST", "/api/user/manage", { id: target, action: "demote" }],
      ["POST", "/api/user/manage", { id: target, action: "add_quota", mode: "add", value: 5 }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await admin.call(method, path, body);
      assertEquals(res.status, 403, `${method} ${path}: ${res.text}`);
    }
  }
  assertEquals(
    (await admin.call("POST", "/api/user/", { username: "root2", password: "root2-password", role: 100 }))
      .status,
    403,
  );
  assertEquals(
    (await admin.call("POST", "/api/user/", { username: "adm3", password: "adm3-password", role: 10 }))
      .status,
    403,
  );
  assertEquals(
    (await admin.call("POST", "/api/user/manage", { id: alice.userId, action: "promote" })).status,
    403,
  );
  // The list never lets the admin see more than user fields, and actions on common users work.
  assertEquals((await admin.call("GET", `/api/user/${alice.userId}`)).body.data.username, "alice");
  assertEquals(
    (await admin.call("POST", "/api/user/manage", { id: alice.userId, action: "disable" })).body.data.status,
    2,
  );
  assertEquals((await root.call("GET", `/api/user/${root.userId}`)).body.data.display_name, "Root User");
  const rootSelf = await root.call("POST", "/api/user/manage", { id: root.userId, action: "disable" });
  assertEquals(rootSelf.status, 403, "root cannot be disabled, even by root");
});
