/**
 * Subscription administration (admin), New API's routes under `/api/subscription/admin/`: plans (list,
 * create `{plan}`, replace `PUT :id {plan}`, enable/disable `PATCH :id {enabled}`), giving a plan without
 * payment (`bind {user_id, plan_id}`, `users/:id/subscriptions`), a user's subscriptions, ending one
 * (`user_subscriptions/:id/invalidate`), deleting one, and resetting used amounts (per user and plan, or the
 * whole plan). Users are managed only below the admin's own role, as everywhere else.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, authOf, requireAdmin } from "../../auth/middleware.ts";
import { canManageRole } from "../../auth/roles.ts";
import { ok } from "./respond.ts";
import { badRequest, forbidden, notFound } from "./errors.ts";
import { bodyId, idParam, NO_NUL, readJson } from "./input.ts";
import { planView, summaryView } from "./subscription_views.ts";
import { subscriptionRefusals } from "./subscriptions.ts";
import { optionRegistry as o } from "../../options/index.ts";
import {
  createSubscriptionTx,
  deleteSubscription,
  getPlan,
  getUserSubscription,
  insertPlan,
  invalidateSubscription,
  listPlans,
  listUserSubscriptions,
  type PlanInput,
  resetSubscriptions,
  SubscriptionError,
  updatePlan,
} from "../../store/subscriptions.ts";
import { getUser } from "../../store/users.ts";
import { DurationUnits, resetPeriodOf } from "../../payments/subscriptions/period.ts";
import { log } from "../../server/logger.ts";

const text = (max: number) => z.string().max(max).regex(NO_NUL).default("");
const count = z.int().min(0).max(2147483647);
const planBody = z.object({
  plan: z.object({
    title: z.string().max(128).regex(NO_NUL),
    subtitle: text(255),
    price_amount: z.number().min(0).max(9999).default(0),
    currency: z.string().max(8).default("USD"),
    duration_unit: z.enum(DurationUnits).or(z.literal("")).default("month"),
    duration_value: z.int().min(0).max(100000).default(1),
    custom_seconds: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    enabled: z.boolean().default(true),
    sort_order: z.int().min(-2147483648).max(2147483647).default(0),
    allow_balance_pay: z.boolean().default(true),
    allow_wallet_overflow: z.boolean().default(true),
    stripe_price_id: text(128),
    creem_product_id: text(128),
    waffo_pancake_product_id: text(128),
    max_purchase_per_user: count.default(0),
    upgrade_group: text(64),
    downgrade_group: text(64),
    total_amount: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    quota_reset_period: z.string().max(16).default("never"),
    quota_reset_custom_seconds: z.int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  }),
});
type PlanBody = z.output<typeof planBody>["plan"];

export function subscriptionAdminRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const admin = requireAdmin(deps);
  const base = "/api/subscription/admin";

  /** New API's checks and defaults on a plan body. */
  const planInput = (p: PlanBody): PlanInput => {
    if (p.title.trim() === "") throw badRequest("api.subscription_title_required");
    const unit = p.duration_unit || "month";
    const value = p.duration_value <= 0 && unit !== "custom" ? 1 : p.duration_value;
    if (unit === "custom" && !(p.custom_seconds > 0)) throw badRequest("api.subscription_plan_duration");
    const period = resetPeriodOf(p.quota_reset_period);
    if (period === "custom" && !(p.quota_reset_custom_seconds > 0)) {
      throw badRequest("api.subscription_reset_custom");
    }
    const upgrade = p.upgrade_group.trim();
    const groups = o.json<Record<string, number>>(deps.catalog, "GroupRatio") ?? {};
    if (upgrade && !Object.hasOwn(groups, upgrade)) {
      throw badRequest("api.subscription_group_unknown", { group: upgrade });
    }
    return {
      title: p.title.trim(),
      subtitle: p.subtitle,
      priceAmount: p.price_amount,
      currency: "USD",
      durationUnit: unit,
      durationValue: value,
      customSeconds: p.custom_seconds,
      enabled: p.enabled,
      sortOrder: p.sort_order,
      allowBalancePay: p.allow_balance_pay,
      allowWalletOverflow: p.allow_wallet_overflow,
      stripePriceId: p.stripe_price_id,
      creemProductId: p.creem_product_id,
      waffoPancakeProductId: p.waffo_pancake_product_id,
      maxPurchasePerUser: p.max_purchase_per_user,
      upgradeGroup: upgrade,
      downgradeGroup: p.downgrade_group.trim(),
      totalAmount: p.total_amount,
      quotaResetPeriod: period,
      quotaResetCustomSeconds: p.quota_reset_custom_seconds,
    };
  };

  /** The user an admin may manage, or a refusal. */
  const manageable = async (c: Context<AuthEnv>, userId: number) => {
    const target = await getUser(deps.db, userId);
    if (!target) throw notFound("api.user_not_found");
    if (!canManageRole(authOf(c).user.role, target.role)) throw forbidden("api.cannot_manage_role");
    return target;
  };
  const refusal = (err: unknown): never => {
    if (err instanceof SubscriptionError) throw badRequest(subscriptionRefusals[err.reason]);
    throw err;
  };
  const grant = async (c: Context<AuthEnv>, userId: number, planId: number) => {
    await manageable(c, userId);
    const plan = await getPlan(deps.db, planId);
    if (!plan) throw badRequest("api.subscription_plan_missing");
    const sub = await deps.db.transaction((tx) => createSubscriptionTx(tx, userId, plan, "admin")).catch(
      refusal,
    );
    await deps.cache.publish({ kind: "user", id: userId });
    log.info("subscription granted by an administrator", {
      admin_id: authOf(c).user.id,
      user_id: userId,
      plan_id: planId,
      subscription_id: sub.id,
    });
    return ok(c, sub.prevUserGroup ? { message: sub.upgradeGroup } : undefined);
  };

  app.get(`${base}/plans`, admin, async (c) => {
    return ok(c, (await listPlans(deps.db, false)).map((p) => ({ plan: planView(p) })));
  });

  app.post(`${base}/plans`, admin, async (c) => {
    const { plan } = await readJson(c, planBody);
    return ok(c, planView(await insertPlan(deps.db, planInput(plan))));
  });

  app.put(`${base}/plans/:id`, admin, async (c) => {
    const id = idParam(c, "api.subscription_plan_missing");
    const { plan } = await readJson(c, planBody);
    if (!(await updatePlan(deps.db, id, planInput(plan)))) throw notFound("api.subscription_plan_missing");
    return ok(c);
  });

  app.patch(`${base}/plans/:id`, admin, async (c) => {
    const id = idParam(c, "api.subscription_plan_missing");
    const { enabled } = await readJson(c, z.object({ enabled: z.boolean() }));
    if (!(await updatePlan(deps.db, id, { enabled }))) throw notFound("api.subscription_plan_missing");
    return ok(c);
  });

  app.post(`${base}/bind`, admin, async (c) => {
    const body = await readJson(c, z.object({ user_id: bodyId, plan_id: bodyId, source_note: text(255) }));
    return await grant(c, body.user_id, body.plan_id);
  });

  app.get(`${base}/users/:id/subscriptions`, admin, async (c) => {
    const userId = idParam(c, "api.user_not_found");
    await manageable(c, userId);
    return ok(c, (await listUserSubscriptions(deps.db, userId)).map(summaryView));
  });

  app.post(`${base}/users/:id/subscriptions`, admin, async (c) => {
    const userId = idParam(c, "api.user_not_found");
    const body = await readJson(c, z.object({ plan_id: bodyId, source_note: text(255) }));
    return await grant(c, userId, body.plan_id);
  });

  const resetBody = z.object({ plan_id: bodyId.optional(), advance_reset_time: z.boolean().optional() });

  app.post(`${base}/users/:id/subscriptions/reset`, admin, async (c) => {
    const userId = idParam(c, "api.user_not_found");
    const body = await readJson(c, resetBody);
    await manageable(c, userId);
    const plan = body.plan_id ? await getPlan(deps.db, body.plan_id) : undefined;
    if (!plan) throw badRequest("api.subscription_plan_missing");
    const result = await resetSubscriptions(deps.db, plan, body.advance_reset_time ?? true, userId).catch(
      refusal,
    );
    return ok(c, result);
  });

  app.post(`${base}/plans/:id/subscriptions/reset`, admin, async (c) => {
    const plan = await getPlan(deps.db, idParam(c, "api.subscription_plan_missing"));
    if (!plan) throw badRequest("api.subscription_plan_missing");
    const body = await readJson(c, resetBody);
    const result = await resetSubscriptions(deps.db, plan, body.advance_reset_time ?? true);
    log.info("subscription plan reset", { plan_id: plan.id, reset_count: result.reset_count });
    return ok(c, result);
  });

  const ending = (action: typeof invalidateSubscription) => async (c: Context<AuthEnv>) => {
    const id = idParam(c, "api.subscription_not_found");
    const sub = await getUserSubscription(deps.db, id);
    if (!sub) throw notFound("api.subscription_not_found");
    await manageable(c, sub.userId);
    const { userId, group } = await action(deps.db, id).catch(refusal);
    await deps.cache.publish({ kind: "user", id: userId });
    return ok(c, group ? { message: group } : undefined);
  };
  app.post(`${base}/user_subscriptions/:id/invalidate`, admin, ending(invalidateSubscription));
  app.delete(`${base}/user_subscriptions/:id`, admin, ending(deleteSubscription));

  return app;
}
