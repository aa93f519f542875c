/**
 * Bad input anywhere in the management API (missing fields, wrong types, over-long strings, negative or
 * huge numbers, malformed JSON, unknown ids) answers `success:false` with a message and a 4xx, never 500.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { type ApiClient, cast } from "../../support/console_client.ts";

type Case = [method: string, path: string, body: unknown, status: number];

const long = "x".repeat(5000);
const huge = 1e300;

function cases(ids: { token: number; channel: number; user: number }): Case[] {
  return [
    // Malformed or missing bodies
    ["POST", "/api/token/", "{not json", 400],
    ["POST", "/api/token/", "", 400],
    ["POST", "/api/token/", "[1,2]", 400],
    ["POST", "/api/token/", "null", 400],
    ["POST", "/api/token/", '"text"', 400],
    ["PUT", "/api/token/", {}, 400],
    ["POST", "/api/channel/", "{", 400],
    ["POST", "/api/user/manage", {}, 400],
    ["POST", "/api/user/topup", {}, 400],
    ["POST", "/api/redemption/", {}, 400],
    ["PUT", "/api/option/", {}, 400],
    ["POST", "/api/channel/batch", {}, 400],
    ["POST", "/api/token/batch", { ids: [] }, 400],
    // Wrong types
    ["PUT", "/api/token/", { id: "1", name: "x" }, 400],
    ["PUT", "/api/token/", { id: ids.token, remain_quota: "100" }, 400],
    ["PUT", "/api/token/", { id: ids.token, model_limits: 5 }, 400],
    ["POST", "/api/channel/", { mode: "single", channel: { type: "1", name: "n", key: "k" } }, 400],
    ["POST", "/api/channel/", { mode: 5, channel: {} }, 400],
    ["PUT", "/api/channel/", { id: ids.channel, priority: "high" }, 400],
    ["POST", "/api/user/manage", { id: ids.user, action: 7 }, 400],
    ["POST", `/api/channel/${ids.channel}/status`, { status: "on" }, 400],
    ["POST", "/api/channel/batch", { ids: ["a"] }, 400],
    ["PUT", "/api/option/", { key: "QuotaForNewUser", value: { a: 1 } }, 400],
    ["PUT", "/api/user/self", { display_name: 12 }, 400],
    // Over-long strings
    ["POST", "/api/token/", { name: long }, 400],
    ["POST", "/api/user/", { username: long, password: "password-1" }, 400],
    ["POST", "/api/user/", { username: "ok", password: long }, 400],
    ["POST", "/api/redemption/", { name: long, quota: 1 }, 400],
    ["PUT", "/api/option/", { key: long, value: "1" }, 400],
    ["POST", "/api/user/topup", { key: long }, 400],
    ["POST", "/api/channel/tag/disabled", { tag: long }, 400],
    ["GET", `/api/token/search?keyword=${long}`, undefined, 400],
    // NUL characters (PostgreSQL's text cannot hold one): refused on every store alike
    ["GET", "/api/log/search?keyword=a%00b", undefined, 400],
    ["GET", "/api/log/self/search?keyword=%00", undefined, 400],
    ["GET", "/api/token/search?keyword=%00", undefined, 400],
    ["GET", "/api/user/search?keyword=x%00", undefined, 400],
    ["POST", "/api/token/", { name: "a\u0000b" }, 400],
    ["PUT", "/api/user/self", { display_name: "\u0000" }, 400],
    ["POST", "/api/channel/", { type: 1, name: "c\u0000", key: "k", models: "m" }, 400],
    // Negative and huge numbers
    ["POST", "/api/token/", { name: "n", remain_quota: -1 }, 400],
    ["POST", "/api/token/", { name: "n", remain_quota: huge }, 400],
    ["POST", "/api/token/", { name: "n", expired_time: -5 }, 400],
    ["POST", "/api/token/", { name: "n", concurrency_limit: 1e10 }, 400],
    ["PUT", "/api/token/", { id: -1, name: "x" }, 400],
    ["PUT", "/api/token/", { id: 1.5, name: "x" }, 400],
    ["PUT", "/api/channel/", { id: ids.channel, weight: huge }, 400],
    ["POST", "/api/redemption/", { name: "n", quota: -10 }, 400],
    ["POST", "/api/redemption/", { name: "n", quota: huge }, 400],
    ["POST", "/api/user/manage", { id: ids.user, action: "add_quota", mode: "add", value: -5 }, 400],
    ["PUT", "/api/user/", { id: ids.user, quota: -1 }, 400],
    // Paging is lenient as New API's (p=0 → page 1, page_size capped): tests/routes/api/paging_test.ts.
    ["GET", "/api/channel/?type=-3", undefined, 400],
    // Unknown ids
    ["GET", "/api/token/999999", undefined, 404],
    ["DELETE", "/api/token/999999", undefined, 404],
    ["PUT", "/api/token/", { id: 999999, name: "x" }, 404],
    ["GET", "/api/channel/999999", undefined, 404],
    ["PUT", "/api/channel/", { id: 999999, name: "x" }, 404],
    ["DELETE", "/api/channel/999999", undefined, 404],
    ["POST", "/api/channel/999999/status", { status: 1 }, 404],
    ["GET", "/api/user/999999", undefined, 404],
    ["PUT", "/api/user/", { id: 999999, display_name: "x" }, 404],
    ["DELETE", "/api/user/999999", undefined, 404],
    ["POST", "/api/user/manage", { id: 999999, action: "enable" }, 404],
    ["GET", "/api/redemption/999999", undefined, 404],
    ["PUT", "/api/redemption/", { id: 999999, name: "x" }, 404],
    ["DELETE", "/api/redemption/999999", undefined, 404],
    ["GET", "/api/token/abc", undefined, 404],
    ["GET", "/api/user/99999999999999999999", undefined, 404],
    ["GET", "/api/nothing-here", undefined, 404],
  ];
}

async function send(client: ApiClient, [method, path, body]: Case) {
  if (typeof body === "string") {
    return await client.call(method, path, body, { "content-type": "application/json" });
  }
  return await client.call(method, path, body);
}

appTest("every bad request answers success:false, a message and a 4xx status, never a 500", async (h) => {
  const { root } = await cast(h);
  const token = (await root.call("POST", "/api/token/", { name: "t" })).body.data.id;
  const channel =
    (await root.call("POST", "/api/channel/", { type: 1, name: "c", key: "k", models: "m" })).body.data
      .ids[0];
  const user =
    (await root.call("POST", "/api/user/", { username: "u1", password: "password-1" })).body.data.id;
  for (const c of cases({ token, channel, user })) {
    const res = await send(root, c);
    const label = `${c[0]} ${c[1].slice(0, 60)} ${JSON.stringify(c[2] ?? "").slice(0, 60)}`;
    assertEquals(res.status, c[3], `${label}: ${res.text.slice(0, 200)}`);
    assertEquals(res.body?.success, false, label);
    assert(typeof res.body.message === "string" && res.body.message.length > 5, `${label}: no message`);
    assert(!res.body.message.includes("internal"), label);
  }
  // A body over the limit is refused before it is read whole.
  const big = await root.call("POST", "/api/token/", JSON.stringify({ name: "x".repeat(5 * 1024 * 1024) }), {
    "content-type": "application/json",
  });
  assertEquals(big.status, 413);
  assertEquals(big.body.success, false);
  // Unauthenticated endpoints have a smaller limit.
  const anon = await h.call(
    "POST",
    "/api/user/login",
    JSON.stringify({ username: "x".repeat(600 * 1024), password: "p" }),
    {
      "content-type": "application/json",
    },
  );
  assertEquals(anon.status, 413);
});
