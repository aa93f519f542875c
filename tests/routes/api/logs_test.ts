/**
 * Log, stat, search and dashboard routes on both stores: admins see everything with filters and paging,
 * users only their own rows without admin details, and nobody unauthenticated sees anything.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { withTestAuth } from "../../support/test_auth.ts";
import { TEST_PRICES } from "../../support/billing.ts";
import { insertUser, Role } from "../../../store/users.ts";
import { createToken } from "../../../store/tokens.ts";
import { insertChannel } from "../../../store/channels.ts";
import { saveOptions } from "../../../store/options.ts";
import { testSecrets } from "../../support/stores.ts";

async function seed(h: AppHarness) {
  await saveOptions(h.deps.db, TEST_PRICES);
  const admin = await insertUser(h.deps.db, { username: "admin", passwordHash: "x", role: Role.admin });
  const alice = await insertUser(h.deps.db, { username: "alice", passwordHash: "x", quota: 1_000_000 });
  const bob = await insertUser(h.deps.db, {
    username: "bob",
    passwordHash: "x",
    quota: 1_000_000,
    group: "vip",
  });
  const ta = await createToken(h.deps.db, testSecrets.cryptoSecret, alice, {
    name: "alice-key",
    unlimitedQuota: true,
  });
  const tb = await createToken(h.deps.db, testSecrets.cryptoSecret, bob, {
    name: "bob-key",
    unlimitedQuota: true,
  });
  const channel = await insertChannel(h.deps.db, testSecrets.cryptoSecret, {
    name: "upstream-a",
    key: "sk-x",
    models: "test-model",
    group: "default,vip",
  });
  await h.deps.cache.publish({ kind: "all" });
  const spend = async (userId: number, tokenId: number, p: number, c: number, requestId: string) => {
    const user = h.deps.catalog.user(userId)!;
    const s = await h.deps.billing.begin({
      requestId,
      user,
      token: h.deps.catalog.token(tokenId)!,
      model: "test-model",
      usingGroup: user.group,
      promptTokens: p,
      isStream: false,
    });
    s.useChannel({ id: channel });
    await s.settle({ inputTokens: p, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: c });
  };
  await spend(alice, ta.token.id, 100, 50, "req-a1");
  await spend(alice, ta.token.id, 10, 5, "req-a2");
  await spend(bob, tb.token.id, 1, 1, "req-b1");
  // On SQLite the quota book writes settlements in batches: make them durable before reading them back.
  await h.deps.billing.flush();
  return { admin, alice, bob, channel, aliceKey: ta.key, bobKey: tb.key, aliceToken: ta.token.id };
}

appTest("admins list every row with New API's filters, paging and channel names", async (h) => {
  const s = await seed(h);
  const call = withTestAuth(h);
  const all = await (await call("GET", "/api/log/?p=1&page_size=2", { as: s.admin })).json();
  assertEquals(all.success, true);
  assertEquals([all.data.total, all.data.items.length, all.data.page, all.data.page_size], [3, 2, 1, 2]);
  assertEquals(all.data.items[0].request_id, "req-b1", "newest first");
  assertEquals(all.data.items[0].channel_name, "upstream-a");
  assert(JSON.parse(all.data.items[0].other).admin_info.use_channel.length === 1);
  const q = async (query: string) =>
    (await (await call("GET", `/api/log/?${query}`, { as: s.admin })).json()).data;
  assertEquals((await q("username=alice")).total, 2);
  assertEquals((await q("token_name=bob-key")).total, 1);
  assertEquals((await q("model_name=test-model&type=2")).total, 3);
  assertEquals((await q("group=vip")).items[0].username, "bob");
  assertEquals((await q(`channel=${s.channel}`)).total, 3);
  assertEquals((await q("request_id=req-a2")).items[0].quota, 20);
  assertEquals((await q("start_timestamp=1&end_timestamp=2")).total, 0);
  assertEquals((await q("model_name=%25")).total, 0, "wildcards are literal");
  const stat = await (await call("GET", "/api/log/stat?username=alice", { as: s.admin })).json();
  assertEquals(stat.data, { quota: 220, rpm: 2, tpm: 165 });
  const search = await (await call("GET", "/api/log/search?keyword=req-b1", { as: s.admin })).json();
  assertEquals(search.data.map((l: { username: string }) => l.username), ["bob"]);
});

appTest("users see only their own rows, as New API shows them: no channel name, no admin_info", async (h) => {
  const s = await seed(h);
  const call = withTestAuth(h);
  const mine = await (await call("GET", "/api/log/self", { as: s.alice })).json();
  assertEquals(mine.data.total, 2);
  for (const item of mine.data.items) {
    assertEquals(item.channel_name, "");
    assertEquals(JSON.parse(item.other).admin_info, undefined);
    assertEquals([item.user_id, item.username, item.token_name], [s.alice, "alice", "alice-key"]);
  }
  assertEquals(JSON.parse(mine.data.items[0].other).request_id, "req-a2");
  const others = await (await call("GET", "/api/log/self?username=bob&request_id=req-b1", { as: s.alice }))
    .json();
  assertEquals(others.data.total, 0, "filters cannot reach another user's rows");
  const stat = await (await call("GET", "/api/log/self/stat", { as: s.bob })).json();
  assertEquals(stat.data, { quota: 3, rpm: 1, tpm: 2 });
  const found = await (await call("GET", "/api/log/self/search?keyword=2", { as: s.alice })).json();
  assertEquals(found.data.length, 2);
  assertEquals((await call("GET", "/api/log/self")).status, 401);
  assertEquals((await call("GET", "/api/log/", { as: s.alice })).status, 403);
  assertEquals((await call("GET", "/api/log/stat", { as: s.alice })).status, 403);
  assertEquals((await call("GET", "/api/data/", { as: s.alice })).status, 403);
});

appTest("hourly quota_data aggregates back the dashboard routes", async (h) => {
  const s = await seed(h);
  await h.deps.billing.quotaData.flush(h.deps.db);
  const call = withTestAuth(h);
  const now = Math.floor(Date.now() / 1000);
  const range = `start_timestamp=${now - 7200}&end_timestamp=${now + 3600}`;
  const admin = await (await call("GET", `/api/data/?${range}`, { as: s.admin })).json();
  assertEquals(admin.data.length, 1);
  assertEquals(
    [admin.data[0].model_name, admin.data[0].count, admin.data[0].quota, admin.data[0].token_used],
    [
      "test-model",
      3,
      223,
      167,
    ],
  );
  const self = await (await call("GET", `/api/data/self?${range}`, { as: s.alice })).json();
  assertEquals([self.data[0].username, self.data[0].count, self.data[0].quota], ["alice", 2, 220]);
  const tooLong =
    await (await call("GET", `/api/data/self?start_timestamp=0&end_timestamp=${now}`, { as: s.alice }))
      .json();
  assertEquals(tooLong.success, false);
  assertEquals((await call("GET", "/api/data/?start_timestamp=x", { as: s.admin })).status, 400);
});

appTest("the dashboard routes include usage not yet flushed to quota_data, counted once", async (h) => {
  const s = await seed(h);
  const call = withTestAuth(h);
  const now = Math.floor(Date.now() / 1000);
  const range = `start_timestamp=${now - 7200}&end_timestamp=${now + 3600}`;
  const totals = async (path: string, as: number) => {
    const body = await (await call("GET", `${path}?${range}`, { as })).json();
    return body.data.map((r: { count: number; quota: number }) => [r.count, r.quota]);
  };
  assertEquals(h.deps.billing.quotaData.pending > 0, true, "nothing flushed yet");
  assertEquals(await totals("/api/data/self", s.alice), [[2, 220]], "the caller's unflushed hour");
  assertEquals(await totals("/api/data/", s.admin), [[3, 223]], "all users summed per model and hour");
  await h.deps.billing.quotaData.flush(h.deps.db);
  assertEquals(await totals("/api/data/self", s.alice), [[2, 220]], "the same after the flush");
  const user = h.deps.catalog.user(s.alice)!;
  const more = await h.deps.billing.begin({
    requestId: "req-a3",
    user,
    token: h.deps.catalog.token(s.aliceToken)!,
    model: "test-model",
    usingGroup: user.group,
    promptTokens: 10,
    isStream: false,
  });
  more.useChannel({ id: s.channel });
  await more.settle({ inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 5 });
  assertEquals(await totals("/api/data/self", s.alice), [[3, 240]], "flushed and pending rows add up");
  const byName = await (await call("GET", `/api/data/?${range}&username=bob`, { as: s.admin })).json();
  assertEquals(byName.data.map((r: { username: string; count: number }) => [r.username, r.count]), [[
    "bob",
    1,
  ]]);
  assertEquals(await totals("/api/data/self", s.bob), [[1, 3]]);
});

appTest("key-query routes work with the key alone, even for an exhausted or expired key", async (h) => {
  const s = await seed(h);
  const call = withTestAuth(h);
  await h.deps.db.exec(
    "UPDATE tokens SET status = 4, remain_quota = 0, unlimited_quota = ?, expired_time = 1",
    [false],
  );
  await h.deps.cache.publish({ kind: "all" });
  const auth = { headers: { authorization: `Bearer ${s.aliceKey}` } };
  const usage = await (await call("GET", "/api/usage/token/", auth)).json();
  assertEquals([usage.code, usage.data.object, usage.data.name, usage.data.total_used], [
    true,
    "token_usage",
    "alice-key",
    220,
  ]);
  const logs = await (await call("GET", "/api/log/token", auth)).json();
  assertEquals(logs.data.length, 2);
  assertEquals(JSON.parse(logs.data[0].other).admin_info, undefined);
  assertEquals(
    (await call("GET", "/api/usage/token/", { headers: { authorization: "Bearer sk-nope" } })).status,
    401,
  );
  assertEquals((await call("GET", "/api/log/token")).status, 401);
  const dash = await call("GET", "/dashboard/billing/usage", auth);
  assertEquals(dash.status, 401, "the OpenAI billing routes need a usable key");
  assertEquals(typeof (await dash.json()).error.message, "string");
});

appTest("OpenAI's legacy billing routes report the token's figures in dollars and cents", async (h) => {
  const s = await seed(h);
  await h.deps.db.exec("UPDATE tokens SET unlimited_quota = ?, remain_quota = 499780", [false]);
  await h.deps.cache.publish({ kind: "all" });
  const call = withTestAuth(h);
  const auth = { headers: { authorization: `Bearer ${s.aliceKey}` } };
  for (const prefix of ["", "/v1"]) {
    const sub = await (await call("GET", `${prefix}/dashboard/billing/subscription`, auth)).json();
    assertEquals([sub.object, sub.hard_limit_usd, sub.has_payment_method, sub.access_until], [
      "billing_subscription",
      1,
      true,
      0,
    ]);
    const usage = await (await call("GET", `${prefix}/dashboard/billing/usage`, auth)).json();
    assertEquals(usage, { object: "list", total_usage: 220 / 500000 * 100 });
  }
  await saveOptions(h.deps.db, { "general_setting.quota_display_type": "TOKENS" });
  await h.deps.cache.publish({ kind: "options" });
  const tokens = await (await call("GET", "/dashboard/billing/usage", auth)).json();
  assertEquals(tokens.total_usage, 22_000);
});

appTest("a search without a keyword finds nothing (never a 500 on any store)", async (h) => {
  const s = await seed(h);
  const call = withTestAuth(h);
  for (
    const [path, as] of [["/api/log/search", s.admin], ["/api/log/self/search?keyword=%20", s.alice]] as const
  ) {
    const res = await call("GET", path, { as });
    assertEquals(res.status, 200, path);
    assertEquals((await res.json()).data, [], path);
  }
});
