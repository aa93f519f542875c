/**
 * Paying for a subscription through the top-up providers, New API's routes: `POST /api/subscription/epay/pay
 * {plan_id, payment_method}` (a pending `subscription_orders` row and the signed Epay form, answered as
 * `/api/user/pay` is), Epay's `GET|POST /api/subscription/epay/notify` (signature, pid, money and method
 * checked; the subscription created once) and `…/epay/return` (the browser coming back: a signed success
 * completes the same way, then a redirect to the wallet), and `POST /api/subscription/creem/pay {plan_id}`
 * (a Creem checkout of the plan's `creem_product_id`; Creem's webhook completes it) and
 * `POST /api/subscription/stripe/pay {plan_id}` (a Stripe Checkout in subscription mode for the plan's
 * `stripe_price_id`, answered `{data: {pay_link}}`; Stripe's webhook completes it).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, authOf, requireUser } from "../../auth/middleware.ts";
import { bodyId, readBodyText, readJson } from "./input.ts";
import { ApiError } from "./errors.ts";
import { msg } from "./messages.ts";
import { newTradeNo, payAnswer, PayRefusal } from "./top_up.ts";
import { subscriptionRefusals } from "./subscriptions.ts";
import { callbackBase, epayMerchant, payMethods, returnBase } from "../../payments/top_up_settings.ts";
import { epayPurchase } from "../../payments/epay/purchase.ts";
import { type EpayParams, epayVerify } from "../../payments/epay/sign.ts";
import { createCreemCheckout, creemApiBase, creemSettings } from "../../payments/creem/client.ts";
import { stripeClient, stripeSettings } from "../../payments/stripe/client.ts";
import { toCents } from "../../payments/top_up_price.ts";
import {
  checkPurchaseLimit,
  getPlan,
  insertSubscriptionOrderTx,
  type Plan,
  SubscriptionError,
} from "../../store/subscriptions.ts";
import { completeSubscriptionOrder, expireSubscriptionOrder } from "../../store/subscription_orders.ts";
import { accountLogRow, AccountLogType } from "../../store/account_logs.ts";
import { PaymentProvider } from "../../store/top_ups.ts";
import { log } from "../../server/logger.ts";

const SMALL_BODY = 16 * 1024;

export function subscriptionPayRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const user = requireUser(deps);

  /** A plan the user may start paying for: enabled, priced, under its purchase limit. */
  const payablePlan = async (userId: number, planId: number): Promise<Plan> => {
    const plan = await getPlan(deps.db, planId);
    if (!plan) throw new PayRefusal("api.subscription_plan_missing");
    if (!plan.enabled) throw new PayRefusal("api.subscription_plan_disabled");
    if (!(plan.priceAmount >= 0.01)) throw new PayRefusal("api.topup_money_too_low");
    try {
      await checkPurchaseLimit(deps.db, userId, plan);
    } catch (err) {
      if (err instanceof SubscriptionError) throw new PayRefusal(subscriptionRefusals[err.reason]);
      throw err;
    }
    return plan;
  };

  app.post("/api/subscription/epay/pay", user, (c) =>
    payAnswer(c, async () => {
      const body = await readJson(
        c,
        z.object({ plan_id: bodyId, payment_method: z.string().max(64) }),
        SMALL_BODY,
      );
      const me = authOf(c).user;
      const plan = await payablePlan(me.id, body.plan_id);
      const cat = deps.catalog;
      if (!payMethods(cat).some((m) => m.type === body.payment_method && m.type !== "stripe")) {
        throw new PayRefusal("api.topup_method_unknown");
      }
      const merchant = epayMerchant(cat);
      if (!merchant) throw new PayRefusal("api.topup_not_configured");
      const origin = new URL(c.req.url).origin;
      const tradeNo = `SUB${newTradeNo(me.id)}`;
      const purchase = epayPurchase(merchant, {
        type: body.payment_method,
        tradeNo,
        name: `SUBPLAN${plan.id}`,
        money: plan.priceAmount.toFixed(2),
        notifyUrl: `${callbackBase(cat, origin)}/api/subscription/epay/notify`,
        returnUrl: `${callbackBase(cat, origin)}/api/subscription/epay/return`,
      });
      await insertSubscriptionOrderTx(deps.db, {
        userId: me.id,
        planId: plan.id,
        money: plan.priceAmount,
        tradeNo,
        paymentMethod: body.payment_method,
        paymentProvider: PaymentProvider.epay,
        status: "pending",
        providerPayload: "",
      });
      log.info("subscription epay order created", { user_id: me.id, trade_no: tradeNo, plan_id: plan.id });
      return c.json({ message: "success", data: purchase.params, url: purchase.url });
    }));

  /** Checks a signed Epay message and completes its order; the reason when it did not. */
  const settleEpay = async (c: Context, source: string): Promise<"done" | "ignored" | string> => {
    const ip = c.get("clientIp") ?? "";
    const merchant = epayMerchant(deps.catalog);
    if (!merchant) return "epay_not_configured";
    let params: EpayParams = {};
    try {
      const raw = c.req.method === "POST"
        ? new URLSearchParams(await readBodyText(c.req.raw, SMALL_BODY))
        : new URL(c.req.url).searchParams;
      for (const [k, v] of raw) if (!(k in params)) params[k] = v;
    } catch (err) {
      if (err instanceof ApiError) return "body_too_large";
      throw err;
    }
    if (Object.values(params).some((v) => v.includes("\0"))) params = {};
    if (!epayVerify(params, merchant.key)) return "bad_signature";
    if (params.pid !== undefined && params.pid !== merchant.pid) return "wrong_pid";
    if (params.trade_status !== "TRADE_SUCCESS") return "ignored";
    const paid = Number(params.money);
    const result = await completeSubscriptionOrder(deps.db, deps.billing.logQueue, {
      tradeNo: params.out_trade_no ?? "",
      provider: PaymentProvider.epay,
      matches: (o) =>
        o.paymentMethod === params.type && Number.isFinite(paid) && toCents(paid) === toCents(o.money),
      payload: JSON.stringify({ trade_no: params.trade_no, type: params.type, money: params.money }),
      onCompleted: async (o, _sub, addLog) => {
        await addLog(accountLogRow({
          userId: o.userId,
          username: deps.catalog.user(o.userId)?.username ?? "",
          type: AccountLogType.topup,
          content: msg("api.log_subscription_paid", { trade_no: o.tradeNo, money: o.money.toFixed(2) }),
          ip,
        }));
      },
    });
    if (result.ok) {
      await deps.cache.publish({ kind: "user", id: result.order.userId });
      log.info("subscription paid through epay", { trade_no: result.order.tradeNo, source, ip });
      return "done";
    }
    if (result.reason === "already_done") return "done";
    return result.reason;
  };

  const notify = async (c: Context) => {
    const outcome = await settleEpay(c, "notify");
    if (outcome === "done" || outcome === "ignored") return c.text("success");
    log.warn("subscription epay notice refused", { reason: outcome, ip: c.get("clientIp") ?? "" });
    return c.text("fail");
  };
  const back = async (c: Context) => {
    const outcome = await settleEpay(c, "return");
    const base = returnBase(deps.catalog, new URL(c.req.url).origin);
    if (outcome !== "done" && outcome !== "ignored") {
      log.warn("subscription epay return refused", { reason: outcome, ip: c.get("clientIp") ?? "" });
    }
    const pay = outcome === "done" ? "success" : outcome === "ignored" ? "pending" : "fail";
    return c.redirect(`${base}/console/topup?pay=${pay}&show_history=true`, 302);
  };
  app.get("/api/subscription/epay/notify", notify);
  app.post("/api/subscription/epay/notify", notify);
  app.get("/api/subscription/epay/return", back);
  app.post("/api/subscription/epay/return", back);

  app.post("/api/subscription/creem/pay", user, (c) =>
    payAnswer(c, async () => {
      const body = await readJson(c, z.object({ plan_id: bodyId }), SMALL_BODY);
      const me = authOf(c).user;
      const plan = await payablePlan(me.id, body.plan_id);
      const s = creemSettings(deps.catalog);
      if (!s.enabled || plan.creemProductId === "") throw new PayRefusal("api.topup_not_configured");
      const tradeNo = `sub_ref_${crypto.randomUUID().replaceAll("-", "")}`;
      await insertSubscriptionOrderTx(deps.db, {
        userId: me.id,
        planId: plan.id,
        money: plan.priceAmount,
        tradeNo,
        paymentMethod: "creem",
        paymentProvider: PaymentProvider.creem,
        status: "pending",
        providerPayload: "",
      });
      let checkoutUrl: string;
      try {
        checkoutUrl = await createCreemCheckout(
          creemApiBase(deps.config.creemApiBase, s.testMode),
          s.apiKey,
          {
            productId: plan.creemProductId,
            requestId: tradeNo,
            email: me.email,
            metadata: { username: me.username, reference_id: tradeNo, plan_id: String(plan.id) },
          },
        );
      } catch (err) {
        await expireSubscriptionOrder(deps.db, tradeNo, PaymentProvider.creem);
        log.error("creem subscription checkout failed", {
          user_id: me.id,
          trade_no: tradeNo,
          error: String(err),
        });
        throw new PayRefusal("api.topup_provider_failed");
      }
      return c.json({ message: "success", data: { checkout_url: checkoutUrl, order_id: tradeNo } });
    }));

  app.post("/api/subscription/stripe/pay", user, (c) =>
    payAnswer(c, async () => {
      const body = await readJson(c, z.object({ plan_id: bodyId }), SMALL_BODY);
      const me = authOf(c).user;
      const plan = await payablePlan(me.id, body.plan_id);
      const s = stripeSettings(deps.catalog);
      // A subscription needs the API secret and the webhook secret, not the top-up's StripePriceId.
      if (!/^(sk|rk)_/.test(s.apiSecret) || s.webhookSecret === "" || plan.stripePriceId === "") {
        throw new PayRefusal("api.topup_not_configured");
      }
      const tradeNo = `sub_ref_${newTradeNo(me.id)}`;
      const site = returnBase(deps.catalog, new URL(c.req.url).origin);
      await insertSubscriptionOrderTx(deps.db, {
        userId: me.id,
        planId: plan.id,
        money: plan.priceAmount,
        tradeNo,
        paymentMethod: "stripe",
        paymentProvider: PaymentProvider.stripe,
        status: "pending",
        providerPayload: "",
      });
      let payLink: string | null;
      try {
        const session = await stripeClient(s.apiSecret, deps.config.stripeApiBase).checkout.sessions.create({
          mode: "subscription",
          client_reference_id: tradeNo,
          line_items: [{ price: plan.stripePriceId, quantity: 1 }],
          success_url: `${site}/console/topup?show_history=true`,
          cancel_url: `${site}/console/topup`,
          ...(me.email ? { customer_email: me.email } : {}),
          metadata: { trade_no: tradeNo, user_id: String(me.id), plan_id: String(plan.id) },
        });
        payLink = session.url;
      } catch (err) {
        log.error("stripe subscription checkout failed", {
          user_id: me.id,
          trade_no: tradeNo,
          error: String(err),
        });
        payLink = null;
      }
      if (!payLink) {
        await expireSubscriptionOrder(deps.db, tradeNo, PaymentProvider.stripe);
        throw new PayRefusal("api.topup_provider_failed");
      }
      return c.json({ message: "success", data: { pay_link: payLink } });
    }));

  return app;
}
