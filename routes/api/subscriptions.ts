/**
 * Subscriptions for signed-in users, New API's routes: `GET /api/subscription/plans` (enabled plans as
 * `[{plan}]`), `GET /api/subscription/self` (billing preference, active and all subscriptions as
 * `[{subscription}]`), `PUT /api/subscription/self/preference` (kept in `users.setting`) and
 * `POST /api/subscription/balance/pay {plan_id}` (bought from the wallet, one transaction).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, authOf, requireUser } from "../../auth/middleware.ts";
import { ok } from "./respond.ts";
import { badRequest } from "./errors.ts";
import { bodyId, readJson } from "./input.ts";
import { type ApiMessageKey, msg } from "./messages.ts";
import { formatQuota } from "./quota_text.ts";
import { planView, summaryView } from "./subscription_views.ts";
import { optionRegistry as o } from "../../options/index.ts";
import { asJsonObject, nowSeconds } from "../../store/db.ts";
import { listPlans, listUserSubscriptions, SubscriptionError } from "../../store/subscriptions.ts";
import { buyWithBalance } from "../../store/subscription_purchase.ts";
import { getUser, updateUser } from "../../store/users.ts";
import { accountLogRow, AccountLogType } from "../../store/account_logs.ts";
import { balanceQuotaOf } from "../../payments/subscriptions/period.ts";
import { log } from "../../server/logger.ts";
import { billingPreferenceOf } from "../../payments/subscriptions/preference.ts";

export const subscriptionRefusals: Record<SubscriptionError["reason"], ApiMessageKey> = {
  plan_missing: "api.subscription_plan_missing",
  plan_disabled: "api.subscription_plan_disabled",
  plan_duration: "api.subscription_plan_duration",
  no_balance_pay: "api.subscription_no_balance_pay",
  limit: "api.subscription_limit",
  balance: "api.quota_insufficient",
  user_missing: "api.user_not_found",
  not_found: "api.subscription_not_found",
};

export function subscriptionRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const user = requireUser(deps);

  app.get("/api/subscription/plans", user, async (c) => {
    const plans = await listPlans(deps.db, true);
    return ok(c, plans.map((p) => ({ plan: planView(p) })));
  });

  app.get("/api/subscription/self", user, async (c) => {
    const me = authOf(c).user;
    const stored = await getUser(deps.db, me.id);
    const all = await listUserSubscriptions(deps.db, me.id);
    const now = nowSeconds();
    return ok(c, {
      billing_preference: billingPreferenceOf(asJsonObject(stored?.setting).billing_preference),
      subscriptions: all.filter((s) => s.status === "active" && s.endTime > now).map(summaryView),
      all_subscriptions: all.map(summaryView),
    });
  });

  app.put("/api/subscription/self/preference", user, async (c) => {
    const body = await readJson(c, z.object({ billing_preference: z.string().max(64).optional() }));
    const pref = billingPreferenceOf(body.billing_preference);
    const me = authOf(c).user;
    const stored = await getUser(deps.db, me.id);
    const setting = { ...asJsonObject(stored?.setting), billing_preference: pref };
    await updateUser(deps.db, me.id, { setting: JSON.stringify(setting) });
    await deps.cache.publish({ kind: "user", id: me.id });
    return ok(c, { billing_preference: pref });
  });

  app.post("/api/subscription/balance/pay", user, async (c) => {
    const { plan_id: planId } = await readJson(c, z.object({ plan_id: bodyId }));
    const me = authOf(c).user;
    const perUnit = o.float(deps.catalog, "QuotaPerUnit") || 500000;
    // The store's balance must hold every settlement the quota book has not written yet; its live holds
    // stay in memory, so the live balance is checked too (as an admin's subtraction is).
    await deps.billing.flush();
    try {
      const plans = await listPlans(deps.db, true);
      const plan = plans.find((p) => p.id === planId);
      const live = deps.catalog.user(me.id)?.quota ?? me.quota;
      if (plan && deps.billing.book && live < balanceQuotaOf(plan.priceAmount, perUnit)) {
        throw new SubscriptionError("balance");
      }
      const bought = await buyWithBalance(deps.db, deps.billing.logQueue, {
        userId: me.id,
        planId,
        quotaPerUnit: perUnit,
        onBought: async (p, quota, addLog) => {
          await addLog(accountLogRow({
            userId: me.id,
            username: me.username,
            type: AccountLogType.topup,
            content: msg("api.log_subscription_balance", {
              plan: p.title,
              money: p.priceAmount.toFixed(2),
              quota: formatQuota(deps.catalog, quota),
            }),
            ip: c.get("clientIp") ?? "",
          }));
        },
      });
      await deps.cache.publish({ kind: "user", id: me.id });
      log.info("subscription bought from the wallet", {
        user_id: me.id,
        plan_id: planId,
        subscription_id: bought.subscription.id,
        quota: bought.quota,
      });
      return ok(c);
    } catch (err) {
      if (err instanceof SubscriptionError) throw badRequest(subscriptionRefusals[err.reason]);
      throw err;
    }
  });

  return app;
}
