/**
 * Subscriptions as New API's routes define them, on SQLite, PostgreSQL and MariaDB: admin plan CRUD with its
 * checks, roles on every admin route, buying from the wallet in one transaction (the price leaves the balance
 * exactly once, 20 concurrent purchases never overdraw it), the purchase limit, the upgrade group given and
 * taken back (invalidate, expiry), resets, deletion and the billing preference.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { type AppHarness, appTest } from "../support/app.ts";
import { type ApiClient, cast } from "../support/console_client.ts";
import { expireDueSubscriptions } from "../../store/subscriptions.ts";

const PER_UNIT = 500000;
const quotaOf = async (who: ApiClient) => (await who.call("GET", "/api/user/self")).body.data.quota as number;
const groupOf = async (who: ApiClient) => (await who.call("GET", "/api/user/self")).body.data.group as string;

async function giveQuota(h: AppHarness, who: ApiClient, quota: number) {
  await h.deps.db.exec("UPDATE users SET quota = ? WHERE id = ?", [quota, who.userId]);
  await h.deps.cache.publish({ kind: "user", id: who.userId });
}

async function createPlan(admin: ApiClient, plan: Record<string, unknown>): Promise<number> {
  const res = await admin.call("POST", "/api/subscription/admin/plans", { plan });
  assertEquals(res.body.success, true, res.text);
  return res.body.data.id;
}

appTest("subscription plans: admin CRUD with New API's checks; users see enabled plans only", async (h) => {
  const { admin, alice } = await cast(h);
  const refused = async (plan: Record<string, unknown>) => {
    const res = await admin.call("POST", "/api/subscription/admin/plans", { plan });
    return [res.status, res.body.success];
  };
  assertEquals(await refused({ title: "  " }), [400, false], "a title is needed");
  assertEquals(await refused({ title: "x", duration_unit: "custom" }), [400, false], "custom needs seconds");
  assertEquals(await refused({ title: "x", price_amount: -1 }), [400, false]);
  assertEquals(await refused({ title: "x", upgrade_group: "nope" }), [400, false], "unknown group");
  assertEquals(await refused({ title: "x", quota_reset_period: "custom" }), [400, false]);
  const monthly = await createPlan(admin, { title: "Monthly", price_amount: 9.9, total_amount: 5000000 });
  const weekly = await createPlan(admin, { title: "Weekly", sort_order: 5, quota_reset_period: "daily" });
  const list = (await admin.call("GET", "/api/subscription/admin/plans")).body.data;
  assertEquals(list.map((p: { plan: { id: number } }) => p.plan.id), [weekly, monthly], "sort_order desc");
  const m = list[1].plan;
  assertEquals([
    m.currency,
    m.duration_unit,
    m.duration_value,
    m.enabled,
    m.allow_balance_pay,
    m.quota_reset_period,
  ], [
    "USD",
    "month",
    1,
    true,
    true,
    "never",
  ]);
  const put = await admin.call("PUT", `/api/subscription/admin/plans/${monthly}`, {
    plan: {
      title: "Monthly+",
      price_amount: 12,
      total_amount: 6000000,
      duration_unit: "day",
      duration_value: 30,
    },
  });
  assertEquals(put.body.success, true, put.text);
  assertEquals(
    (await admin.call("PATCH", `/api/subscription/admin/plans/${weekly}`, { enabled: false })).body.success,
    true,
  );
  const seen = (await alice.call("GET", "/api/subscription/plans")).body.data;
  assertEquals(seen.length, 1, "the disabled plan is hidden");
  assertEquals([seen[0].plan.title, seen[0].plan.price_amount, seen[0].plan.duration_value], [
    "Monthly+",
    12,
    30,
  ]);
  assertEquals(
    (await admin.call("PUT", "/api/subscription/admin/plans/9999", { plan: { title: "x" } })).status,
    404,
  );
  for (
    const [method, path] of [
      ["GET", "/api/subscription/admin/plans"],
      ["POST", "/api/subscription/admin/plans"],
      ["PATCH", `/api/subscription/admin/plans/${monthly}`],
      ["POST", "/api/subscription/admin/bind"],
      ["GET", `/api/subscription/admin/users/${alice.userId}/subscriptions`],
      ["POST", `/api/subscription/admin/plans/${monthly}/subscriptions/reset`],
      ["DELETE", "/api/subscription/admin/user_subscriptions/1"],
    ]
  ) {
    const body = method === "GET"
      ? undefined
      : { plan: { title: "x" }, enabled: true, user_id: 1, plan_id: 1 };
    const res = await alice.call(method, path, body);
    assertEquals(res.status, 403, `${method} ${path} is for administrators`);
  }
});

appTest("subscription from the wallet: the price leaves the balance once, in one transaction", async (h) => {
  const { admin, alice } = await cast(h);
  const plan = await createPlan(admin, {
    title: "Pro",
    price_amount: 2,
    total_amount: 3000000,
    duration_unit: "day",
    duration_value: 30,
  });
  await giveQuota(h, alice, 3 * 2 * PER_UNIT + 123);
  const started = Math.floor(Date.now() / 1000);
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => alice.call("POST", "/api/subscription/balance/pay", { plan_id: plan })),
  );
  const bought = answers.filter((a) => a.body.success).length;
  assertEquals(bought, 3, "three prices fit in the balance");
  assertEquals(answers.filter((a) => !a.body.success).every((a) => a.status === 400), true);
  assertEquals(await quotaOf(alice), 123, "exactly three prices left, never below zero");
  const self = (await alice.call("GET", "/api/subscription/self")).body.data;
  assertEquals(self.billing_preference, "subscription_first");
  assertEquals(self.subscriptions.length, 3);
  const sub = self.subscriptions[0].subscription;
  assertEquals([sub.plan_id, sub.amount_total, sub.amount_used, sub.status, sub.source], [
    plan,
    3000000,
    0,
    "active",
    "balance",
  ]);
  assert(sub.start_time >= started && sub.end_time === sub.start_time + 30 * 86400, JSON.stringify(sub));
  const orders = await h.deps.db.query<{ status: string; payment_provider: string; money: number }>(
    "SELECT status, payment_provider, money FROM subscription_orders WHERE user_id = ?",
    [alice.userId],
  );
  assertEquals(orders.length, 3);
  assert(
    orders.every((o) => o.status === "success" && o.payment_provider === "balance" && Number(o.money) === 2),
  );
  const logs = await h.deps.logDb.query("SELECT id FROM logs WHERE type = 1 AND user_id = ?", [alice.userId]);
  assertEquals(logs.length, 3, "one top-up log row per purchase");

  const disabled = await createPlan(admin, { title: "Off", price_amount: 0, enabled: false });
  const off = await alice.call("POST", "/api/subscription/balance/pay", { plan_id: disabled });
  assertEquals([off.status, off.body.success], [400, false]);
  const noWallet = await createPlan(admin, { title: "Card only", price_amount: 0, allow_balance_pay: false });
  assertEquals(
    (await alice.call("POST", "/api/subscription/balance/pay", { plan_id: noWallet })).status,
    400,
  );
  const once = await createPlan(admin, { title: "Trial", price_amount: 0, max_purchase_per_user: 1 });
  assertEquals(
    (await alice.call("POST", "/api/subscription/balance/pay", { plan_id: once })).body.success,
    true,
  );
  const again = await alice.call("POST", "/api/subscription/balance/pay", { plan_id: once });
  assertEquals([again.status, again.body.success], [400, false], "the purchase limit holds");
  assertEquals(await quotaOf(alice), 123, "free plans cost nothing; refusals cost nothing");
});

appTest("subscription groups: an upgrade is taken back on invalidate and on expiry", async (h) => {
  const { root, admin, alice, bob } = await cast(h);
  const plan = await createPlan(admin, { title: "VIP", upgrade_group: "vip", duration_unit: "hour" });
  const bind = await admin.call("POST", "/api/subscription/admin/bind", {
    user_id: alice.userId,
    plan_id: plan,
  });
  assertEquals(bind.body.success, true, bind.text);
  assertEquals(await groupOf(alice), "vip");
  const listed =
    (await admin.call("GET", `/api/subscription/admin/users/${alice.userId}/subscriptions`)).body.data;
  assertEquals(listed.length, 1);
  const sub = listed[0].subscription;
  assertEquals([sub.upgrade_group, sub.prev_user_group, sub.source], ["vip", "default", "admin"]);
  const end = await admin.call("POST", `/api/subscription/admin/user_subscriptions/${sub.id}/invalidate`);
  assertEquals(end.body.success, true, end.text);
  assertEquals(await groupOf(alice), "default", "back to the group held before");
  const self = (await alice.call("GET", "/api/subscription/self")).body.data;
  assertEquals([self.subscriptions.length, self.all_subscriptions[0].subscription.status], [0, "cancelled"]);

  const granted = await admin.call("POST", `/api/subscription/admin/users/${bob.userId}/subscriptions`, {
    plan_id: plan,
  });
  assertEquals(granted.body.success, true, granted.text);
  assertEquals(await groupOf(bob), "vip");
  const expired = await expireDueSubscriptions(h.deps.db, Math.floor(Date.now() / 1000) + 7200);
  assertEquals(expired, [bob.userId]);
  for (const id of expired) await h.deps.cache.publish({ kind: "user", id });
  assertEquals(await groupOf(bob), "default", "expiry moves the user back");
  const bobs = (await bob.call("GET", "/api/subscription/self")).body.data.all_subscriptions;
  assertEquals(bobs[0].subscription.status, "expired");

  // An admin manages only users below their role.
  const rootId = (await root.call("GET", "/api/user/self")).body.data.id;
  const up = await admin.call("POST", "/api/subscription/admin/bind", { user_id: rootId, plan_id: plan });
  assertEquals(up.status, 403);
  const del = await admin.call("DELETE", `/api/subscription/admin/user_subscriptions/${sub.id}`);
  assertEquals(del.body.success, true);
  assertEquals(
    (await admin.call("GET", `/api/subscription/admin/users/${alice.userId}/subscriptions`)).body.data,
    [],
  );
});

appTest("subscription resets and the billing preference", async (h) => {
  const { admin, alice, bob } = await cast(h);
  const plan = await createPlan(admin, { title: "Daily", total_amount: 1000, quota_reset_period: "daily" });
  for (const who of [alice, bob]) {
    await admin.call("POST", "/api/subscription/admin/bind", { user_id: who.userId, plan_id: plan });
  }
  await h.deps.db.exec("UPDATE user_subscriptions SET amount_used = 700");
  const one = await admin.call("POST", `/api/subscription/admin/users/${alice.userId}/subscriptions/reset`, {
    plan_id: plan,
  });
  assertEquals([one.body.data.reset_count, one.body.data.user_count], [1, 1], one.text);
  const used = async (who: ApiClient) =>
    (await who.call("GET", "/api/subscription/self")).body.data.subscriptions[0].subscription;
  assertEquals((await used(alice)).amount_used, 0);
  assertEquals((await used(bob)).amount_used, 700);
  const all = await admin.call("POST", `/api/subscription/admin/plans/${plan}/subscriptions/reset`, {
    advance_reset_time: false,
  });
  assertEquals([all.body.data.reset_count, all.body.data.advance_reset_time], [2, false]);
  const b = await used(bob);
  assertEquals(b.amount_used, 0);
  assert(b.next_reset_time > b.start_time && b.next_reset_time <= b.start_time + 86400, "next midnight");

  const set = await alice.call("PUT", "/api/subscription/self/preference", {
    billing_preference: "wallet_first",
  });
  assertEquals(set.body.data, { billing_preference: "wallet_first" });
  assertEquals(
    (await alice.call("GET", "/api/subscription/self")).body.data.billing_preference,
    "wallet_first",
  );
  const odd = await alice.call("PUT", "/api/subscription/self/preference", {
    billing_preference: "free_money",
  });
  assertEquals(odd.body.data.billing_preference, "subscription_first", "anything else is New API's default");
});
