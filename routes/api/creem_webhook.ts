/**
 * Creem's webhook, `POST /api/creem/webhook` (anonymous, New API's route). Refused with 403 while
 * CreemWebhookSecret is empty (test mode changes nothing); the raw body, capped at
 * ANONYMOUS_REQUEST_BODY_LIMIT_KB, must carry `creem-signature` = hex HMAC-SHA256 of it under the secret
 * (401 otherwise) before anything in it is read. `checkout.completed` with a `paid` one-time order
 * completes the Creem order named by `request_id` once, and only when Creem's charged sub-total is the
 * order's money; the quota credited is the order's amount (the product's quota), as in New API. A
 * `request_id` naming a subscription order completes that order (same checks) and creates the subscription
 * once. Every
 * refusal changes nothing and is logged.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { readBodyText } from "./input.ts";
import { ApiError } from "./errors.ts";
import { msg } from "./messages.ts";
import { formatQuota } from "./quota_text.ts";
import { maxQuota } from "../../options/accounts.ts";
import { CREEM_SIGNATURE_HEADER, creemSettings, verifyCreemSignature } from "../../payments/creem/client.ts";
import { toCents } from "../../payments/top_up_price.ts";
import { completeTopUp, PaymentProvider } from "../../store/top_ups.ts";
import { completeSubscriptionOrder, getSubscriptionOrder } from "../../store/subscription_orders.ts";
import { accountLogRow, AccountLogType } from "../../store/account_logs.ts";
import { log } from "../../server/logger.ts";

const cents = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
/** The fields of Creem's event that are read (its `checkout.completed` shape). */
const creemEvent = z.object({
  id: z.string().max(256).default(""),
  eventType: z.string().max(128),
  object: z.object({
    request_id: z.string().max(255).default(""),
    order: z.object({
      id: z.string().max(256).default(""),
      status: z.string().max(64).default(""),
      type: z.string().max(64).default(""),
      currency: z.string().max(16).default(""),
      amount: cents.optional(),
      sub_total: cents.optional(),
      amount_paid: cents.optional(),
    }).default({ id: "", status: "", type: "", currency: "" }),
  }).default({ request_id: "", order: { id: "", status: "", type: "", currency: "" } }),
});

export function creemWebhookRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.post("/api/creem/webhook", async (c) => {
    const ip = c.get("clientIp") ?? "";
    const refuse = (status: 400 | 401 | 403 | 413, reason: string, fields: Record<string, unknown> = {}) => {
      log.warn("creem webhook refused", { reason, ip, ...fields });
      return c.text(reason, status);
    };
    const s = creemSettings(deps.catalog);
    if (s.webhookSecret === "") return refuse(403, "webhook_secret_unset");
    const signature = c.req.header(CREEM_SIGNATURE_HEADER) ?? "";
    if (signature === "") return refuse(401, "no_signature");
    let raw: string;
    try {
      raw = await readBodyText(c.req.raw, deps.config.anonymousRequestBodyBytes);
    } catch (err) {
      if (err instanceof ApiError) return refuse(413, "body_too_large");
      throw err;
    }
    if (!verifyCreemSignature(raw, signature, s.webhookSecret)) return refuse(401, "bad_signature");
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return refuse(400, "not_json");
    }
    const parsed = creemEvent.safeParse(json);
    if (!parsed.success) return refuse(400, "bad_event");
    const event = parsed.data;
    if (event.eventType !== "checkout.completed") {
      log.info("creem webhook event ignored", { event: event.eventType, id: event.id });
      return c.text("ok");
    }
    const order = event.object.order;
    const tradeNo = event.object.request_id;
    if (order.status !== "paid") {
      log.info("creem checkout completed but not paid", { trade_no: tradeNo, status: order.status });
      return c.text("ok");
    }
    if (tradeNo === "") return refuse(400, "no_request_id", { event: event.id });
    const charged = order.sub_total ?? order.amount;
    // A subscription order comes first, whichever order type Creem reports (as New API).
    if (await getSubscriptionOrder(deps.db, tradeNo)) {
      const sub = await completeSubscriptionOrder(deps.db, deps.billing.logQueue, {
        tradeNo,
        provider: PaymentProvider.creem,
        matches: (o) => charged !== undefined && charged === toCents(o.money),
        payload: JSON.stringify({ event: event.id, order: order.id, charged }),
        onCompleted: async (o, _s, addLog) => {
          await addLog(accountLogRow({
            userId: o.userId,
            username: deps.catalog.user(o.userId)?.username ?? "",
            type: AccountLogType.topup,
            content: msg("api.log_subscription_paid", { trade_no: o.tradeNo, money: o.money.toFixed(2) }),
            ip,
          }));
        },
      });
      if (sub.ok) await deps.cache.publish({ kind: "user", id: sub.order.userId });
      if (sub.ok || sub.reason === "already_done") {
        log.info("creem subscription order settled", { trade_no: tradeNo, event: event.id, fresh: sub.ok });
        return c.text("ok");
      }
      return refuse(400, sub.reason, { trade_no: tradeNo, event: event.id, charged });
    }
    if (order.type !== "onetime") return refuse(400, "not_onetime", { trade_no: tradeNo, type: order.type });
    const result = await completeTopUp(deps.db, deps.billing.logQueue, {
      tradeNo,
      provider: PaymentProvider.creem,
      matches: (o) => charged !== undefined && charged === toCents(o.money),
      quotaOf: (o) => o.amount,
      maxBalance: maxQuota(deps.catalog),
      onCompleted: async (o, quota, addLog) => {
        await addLog(accountLogRow({
          userId: o.userId,
          username: deps.catalog.user(o.userId)?.username ?? "",
          type: AccountLogType.topup,
          content: msg("api.log_topup_online", {
            quota: formatQuota(deps.catalog, quota),
            money: `${
              ((order.amount_paid ?? charged ?? 0) / 100).toFixed(2)
            } ${order.currency.toUpperCase()}`,
          }),
          quota,
          ip,
        }));
      },
    });
    if (result.ok) {
      await deps.cache.publish({ kind: "user", id: result.order.userId });
      log.info("creem top-up credited", { trade_no: tradeNo, user_id: result.order.userId, event: event.id });
      return c.text("ok");
    }
    if (result.reason === "already_done") {
      log.info("creem event replayed for a completed order; nothing changed", {
        trade_no: tradeNo,
        event: event.id,
      });
      return c.text("ok");
    }
    return refuse(400, result.reason, { trade_no: tradeNo, event: event.id, charged });
  });

  return app;
}
