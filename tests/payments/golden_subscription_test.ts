/** Golden shapes of New API's subscription answers (tests/fixtures/new_api/golden/subscription.json). */
import { assertEquals } from "../support/assert.ts";
import { appTest } from "../support/app.ts";
import { cast } from "../support/console_client.ts";
import { shapeProblems } from "../support/golden.ts";

const golden = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/new_api/golden/subscription.json", import.meta.url)),
);
const envelope = { success: "boolean", message: "string", data: "any" };

appTest("subscription plans, subscriptions and resets have New API's keys, types and envelope", async (h) => {
  const { admin, alice } = await cast(h);
  const problems: string[] = [];
  const created = await admin.call("POST", "/api/subscription/admin/plans", {
    plan: { title: "Golden", price_amount: 0, total_amount: 100, quota_reset_period: "daily" },
  });
  problems.push(...shapeProblems("create", created.body, envelope));
  problems.push(...shapeProblems("create data", created.body.data, golden.plan));
  const planId = created.body.data.id;
  await admin.call("POST", "/api/subscription/admin/bind", { user_id: alice.userId, plan_id: planId });
  for (
    const [who, route] of [[admin, "/api/subscription/admin/plans"], [
      alice,
      "/api/subscription/plans",
    ]] as const
  ) {
    const res = await who.call("GET", route);
    problems.push(...shapeProblems(route, res.body, envelope));
    assertEquals(res.body.data.length, 1, route);
    problems.push(...shapeProblems(`${route} item`, res.body.data[0], { plan: golden.plan }));
  }
  const self = await alice.call("GET", "/api/subscription/self");
  problems.push(...shapeProblems("self", self.body.data, golden.self));
  assertEquals(self.body.data.subscriptions.length, 1);
  for (const key of ["subscriptions", "all_subscriptions"]) {
    problems.push(
      ...shapeProblems(`self ${key}`, self.body.data[key][0], { subscription: golden.user_subscription }),
    );
  }
  const listed = await admin.call("GET", `/api/subscription/admin/users/${alice.userId}/subscriptions`);
  problems.push(
    ...shapeProblems("admin list", listed.body.data[0], { subscription: golden.user_subscription }),
  );
  const reset = await admin.call("POST", `/api/subscription/admin/plans/${planId}/subscriptions/reset`, {});
  problems.push(...shapeProblems("reset", reset.body.data, golden.reset_result));
  const pref = await alice.call("PUT", "/api/subscription/self/preference", {
    billing_preference: "wallet_only",
  });
  problems.push(...shapeProblems("preference", pref.body.data, { billing_preference: "string" }));
  assertEquals(problems, []);
});
