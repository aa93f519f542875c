/**
 * Golden shapes of New API's user answers (tests/fixtures/new_api/golden/user.json): the admin list and
 * search (pages of `User`), one user (`User` with `admin_permissions`), the caller's own view and the
 * `POST /api/user/manage` answer (a `User` holding only role and status).
 */
import { assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { cast } from "../../support/console_client.ts";
import { answerProblems, readGolden } from "../../support/golden.ts";

const golden = await readGolden("user");

appTest("user answers have New API's keys, types, envelope and page", async (h) => {
  const { root, admin, alice } = await cast(h);
  const problems: string[] = [];
  const check = async (
    who: typeof root,
    method: string,
    path: string,
    shape: { page?: boolean; item: string },
    body?: unknown,
  ) => {
    const res = await who.call(method, path, body);
    assertEquals(res.status, 200, `${method} ${path}: ${res.text}`);
    assertEquals(res.body.success, true, `${method} ${path}: ${res.text}`);
    problems.push(...answerProblems(golden, `${method} ${path}`, res.body, shape));
  };
  await check(root, "GET", "/api/user/", { page: true, item: "user" });
  await check(root, "GET", "/api/user/search?keyword=alice", { page: true, item: "user" });
  await check(root, "GET", `/api/user/${alice.userId}`, { item: "user_detail" });
  await check(root, "GET", `/api/user/${admin.userId}`, { item: "user_detail" });
  await check(alice, "GET", "/api/user/self", { item: "self" });
  await check(admin, "GET", "/api/user/self", { item: "self" });
  await check(root, "GET", "/api/user/self", { item: "self" });
  await check(root, "POST", "/api/user/manage", { item: "user" }, { id: alice.userId, action: "disable" });
  await check(root, "POST", "/api/user/manage", { item: "user" }, { id: alice.userId, action: "enable" });
  assertEquals(problems, []);
});

appTest("the manage answer holds role and status, every other field empty as New API's", async (h) => {
  const { root, alice } = await cast(h);
  const res = await root.call("POST", "/api/user/manage", { id: alice.userId, action: "disable" });
  assertEquals([res.body.data.role, res.body.data.status, res.body.data.id, res.body.data.username], [
    1,
    2,
    0,
    "",
  ]);
});
