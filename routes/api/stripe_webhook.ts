/**
 * Stripe's webhook, `POST /api/stripe/webhook` (anonymous). Refused with 403 while StripeWebhookSecret is
 * empty (GHSA-xff3); the raw body, capped at ANONYMOUS_REQUEST_BODY_LIMIT_KB, is verified with the
 * official library (`constructEventAsync`: HMAC-SHA256, 300 s timestamp tolerance) before anything in it
 * is read. `checkout.session.completed` credits only when `payment_status` is `paid`; a delayed method
 * credits on `checkout.session.async_payment_succeeded`; `expired` / `async_payment_failed` expire the
 * order. Only an order created for Stripe, still pending, whose subtotal is StripeUnitPrice × units, is
 * completed, once. A `client_reference_id` naming a subscription order (`sub_ref_…`) completes it instead:
 * a `subscription`-mode session whose subtotal is the plan's price creates the subscription once, and links
 * Stripe's subscription to it. Renewals: `invoice.paid` / `invoice.payment_succeeded` of a
 * `subscription_cycle` invoice whose subtotal is what the first order cost extends the linked subscription by
 * one period with a fresh quota, once per invoice (store/provider_subscriptions.ts); an unknown subscription
 * is logged and acknowledged. `invoice.payment_failed` and `customer.subscription.updated|deleted` record
 * Stripe's status (the paid period runs to its end).
 */
import { Hono } from "hono";
import type Stripe from "stripe";
import type { AppDeps } from "../../server/deps.ts";
import { readBodyText } from "./input.ts";
import { ApiError } from "./errors.ts";
import { msg } from "./messages.ts";
import { formatQuota } from "./quota_text.ts";
import { optionRegistry as o } from "../../options/index.ts";
import { maxQuota } from "../../options/accounts.ts";
import { stripeSettings, stripeWebhooks } from "../../payments/stripe/client.ts";
import { toCents, topUpQuota } from "../../payments/top_up_price.ts";
import { completeTopUp, expireTopUp, PaymentProvider } from "../../store/top_ups.ts";
import {
  completeSubscriptionOrder,
  expireSubscriptionOrder,
  getSubscriptionOrder,
} from "../../store/subscription_orders.ts";
import { accountLogRow, AccountLogType } from "../../store/account_logs.ts";
import {
  linkProviderSubscriptionTx,
  renewProviderSubscription,
  setProviderSubscriptionStatus,
} from "../../store/provider_subscriptions.ts";
import { log } from "../../server/logger.ts";

export function stripeWebhookRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.post("/api/stripe/webhook", async (c) => {
    const ip = c.get("clientIp") ?? "";
    const refuse = (status: 400 | 403 | 413, reason: string, fields: Record<string, unknown> = {}) => {
      log.warn("stripe webhook refused", { reason, ip, ...fields });
      return c.text(reason, status);
    };
    const s = stripeSettings(deps.catalog);
    if (s.webhookSecret === "") return refuse(403, "webhook_secret_unset");
    const signature = c.req.header("stripe-signature");
    if (!signature) return refuse(400, "no_signature");
    let raw: string;
    try {
      raw = await readBodyText(c.req.raw, deps.config.anonymousRequestBodyBytes);
    } catch (err) {
      if (err instanceof ApiError) return refuse(413, "body_too_large");
      throw err;
    }
    let event: Stripe.Event;
    try {
      event = await stripeWebhooks().constructEventAsync(raw, signature, s.webhookSecret);
    } catch (err) {
      return refuse(400, "bad_signature", { error: String(err).slice(0, 200) });
    }
    if (event.type.startsWith("invoice.") || event.type.startsWith("customer.subscription.")) {
      return await recurring(event, ip, refuse, (text) => c.text(text));
    }
    const session = event.data.object as Stripe.Checkout.Session;
    const tradeNo = typeof session.client_reference_id === "string" ? session.client_reference_id : "";
    switch (event.type) {
      case "checkout.session.completed":
      case "checkout.session.async_payment_succeeded":
        break;
      case "checkout.session.expired":
      case "checkout.session.async_payment_failed": {
        const expired = tradeNo !== "" && (await expireTopUp(deps.db, tradeNo, PaymentProvider.stripe) ||
          await expireSubscriptionOrder(deps.db, tradeNo, PaymentProvider.stripe));
        log.info("stripe checkout ended unpaid", { event: event.type, trade_no: tradeNo, expired });
        return c.text("ok");
      }
      default:
        log.info("stripe webhook event ignored", { event: event.type, id: event.id });
        return c.text("ok");
    }
    if (session.payment_status !== "paid") {
      // A delayed method (bank debit): its async_payment_succeeded event will follow.
      log.info("stripe checkout complete but not paid yet", {
        trade_no: tradeNo,
        status: session.payment_status,
      });
      return c.text("ok");
    }
    if (tradeNo === "") return refuse(400, "no_reference", { event: event.id });
    if (await getSubscriptionOrder(deps.db, tradeNo)) {
      const sub = await completeSubscriptionOrder(deps.db, deps.billing.logQueue, {
        tradeNo,
        provider: PaymentProvider.stripe,
        matches: (order) =>
          session.mode === "subscription" && session.amount_subtotal === toCents(order.money),
        payload: JSON.stringify({ event: event.id, session: session.id, subscription: session.subscription }),
        onCompleted: async (order, created, addLog, tx) => {
          const stripeSub = typeof session.subscription === "string"
            ? session.subscription
            : session.subscription?.id ?? "";
          if (stripeSub) {
            await linkProviderSubscriptionTx(tx, {
              provider: PaymentProvider.stripe,
              providerSubscriptionId: stripeSub,
              userId: order.userId,
              planId: order.planId,
              userSubscriptionId: created.id,
              money: order.money,
              status: "active",
            });
          }
          await addLog(accountLogRow({
            userId: order.userId,
            username: deps.catalog.user(order.userId)?.username ?? "",
            type: AccountLogType.topup,
            content: msg("api.log_subscription_paid", {
              trade_no: order.tradeNo,
              money: order.money.toFixed(2),
            }),
            ip,
          }));
        },
      });
      if (sub.ok) await deps.cache.publish({ kind: "user", id: sub.order.userId });
      if (sub.ok || sub.reason === "already_done") {
        log.info("stripe subscription order settled", { trade_no: tradeNo, event: event.id, fresh: sub.ok });
        return c.text("ok");
      }
      return refuse(400, sub.reason, {
        trade_no: tradeNo,
        event: event.id,
        amount_subtotal: session.amount_subtotal,
      });
    }
    const perUnit = o.float(deps.catalog, "QuotaPerUnit") || 500000;
    const result = await completeTopUp(deps.db, deps.billing.logQueue, {
      tradeNo,
      provider: PaymentProvider.stripe,
      matches: (order) =>
        session.mode === "payment" && session.amount_subtotal === toCents(order.amount * s.unitPrice),
      quotaOf: (order) => topUpQuota(order.amount, perUnit),
      maxBalance: maxQuota(deps.catalog),
      onCompleted: async (order, quota, addLog) => {
        await addLog(accountLogRow({
          userId: order.userId,
          username: deps.catalog.user(order.userId)?.username ?? "",
          type: AccountLogType.topup,
          content: msg("api.log_topup_online", {
            quota: formatQuota(deps.catalog, quota),
            money: `${((session.amount_total ?? 0) / 100).toFixed(2)} ${
              (session.currency ?? "").toUpperCase()
            }`,
          }),
          quota,
          ip,
        }));
      },
    });
    if (result.ok) {
      await deps.cache.publish({ kind: "user", id: result.order.userId });
      log.info("stripe top-up credited", {
        trade_no: tradeNo,
        user_id: result.order.userId,
        event: event.id,
      });
      return c.text("ok");
    }
    if (result.reason === "already_done") {
      log.info("stripe event replayed for a completed order; nothing changed", {
        trade_no: tradeNo,
        event: event.id,
      });
      return c.text("ok");
    }
    return refuse(400, result.reason, {
      trade_no: tradeNo,
      event: event.id,
      amount_subtotal: session.amount_subtotal,
    });
  });

  /** Stripe's recurring billing: renewal invoices and the subscription's status. */
  async function recurring(
    event: Stripe.Event,
    ip: string,
    refuse: (status: 400 | 403 | 413, reason: string, fields?: Record<string, unknown>) => Response,
    ok: (text: string) => Response,
  ): Promise<Response> {
    const object = event.data.object as unknown as Record<string, unknown>;
    if (event.type.startsWith("customer.subscription.")) {
      const status = String(object.status ?? "");
      if (event.type === "customer.subscription.updated" || event.type === "customer.subscription.deleted") {
        const known = await setProviderSubscriptionStatus(
          deps.db,
          PaymentProvider.stripe,
          String(object.id),
          status,
        );
        log.info("stripe subscription status", { event: event.type, subscription: object.id, status, known });
      }
      return ok("ok");
    }
    const invoice = object as {
      id?: string;
      subscription?: string | { id?: string } | null;
      parent?: { subscription_details?: { subscription?: string } } | null;
      billing_reason?: string;
      subtotal?: number;
      amount_paid?: number;
      status?: string;
    };
    const subscription = typeof invoice.subscription === "string"
      ? invoice.subscription
      : invoice.subscription?.id ?? invoice.parent?.subscription_details?.subscription ?? "";
    const fields = { event: event.id, invoice: invoice.id, subscription, reason: invoice.billing_reason };
    if (!subscription || !invoice.id) {
      log.info("stripe invoice without a subscription ignored", fields);
      return ok("ok");
    }
    if (event.type === "invoice.payment_failed") {
      await setProviderSubscriptionStatus(deps.db, PaymentProvider.stripe, subscription, "past_due");
      log.warn("stripe renewal payment failed", fields);
      return ok("ok");
    }
    if (event.type !== "invoice.paid" && event.type !== "invoice.payment_succeeded") {
      log.info("stripe invoice event ignored", { ...fields, type: event.type });
      return ok("ok");
    }
    // The first invoice is the checkout's, which created the subscription; others (prorations) add no period.
    if (invoice.billing_reason !== "subscription_cycle" || invoice.status !== "paid") {
      log.info("stripe invoice is not a paid renewal; nothing to renew", {
        ...fields,
        status: invoice.status,
      });
      return ok("ok");
    }
    const result = await renewProviderSubscription(deps.db, deps.billing.logQueue, {
      provider: PaymentProvider.stripe,
      providerSubscriptionId: subscription,
      invoiceId: invoice.id,
      amountCents: typeof invoice.subtotal === "number" ? invoice.subtotal : -1,
      payload: JSON.stringify({ event: event.id, invoice: invoice.id, amount_paid: invoice.amount_paid }),
      onRenewed: async (link, plan, addLog) => {
        await addLog(accountLogRow({
          userId: link.userId,
          username: deps.catalog.user(link.userId)?.username ?? "",
          type: AccountLogType.topup,
          content: msg("api.log_subscription_renewed", {
            plan: plan.title,
            money: ((invoice.subtotal ?? 0) / 100).toFixed(2),
          }),
          ip,
        }));
      },
    });
    if (result.ok) {
      await deps.cache.publish({ kind: "user", id: result.userId });
      log.info("stripe subscription renewed", {
        ...fields,
        extended: result.extended,
        user_id: result.userId,
      });
      return ok("ok");
    }
    if (result.reason === "already_done") {
      log.info("stripe renewal invoice replayed; nothing changed", fields);
      return ok("ok");
    }
    if (result.reason === "unknown_subscription") {
      log.warn("stripe renewal for a subscription this site did not sell; nothing changed", fields);
      return ok("ok");
    }
    return refuse(400, result.reason, { ...fields, subtotal: invoice.subtotal });
  }

  return app;
}
