/**
 * Stripe Checkout top-up, New API's routes: `POST /api/user/stripe/amount` (the price) and
 * `POST /api/user/stripe/pay` (a pending `top_ups` order and a Checkout Session for StripePriceId ×
 * amount, answered as `{message: "success", data: {pay_link}}`). The order is completed by the webhook.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, authOf, requireUser } from "../../auth/middleware.ts";
import { readJson } from "./input.ts";
import { newTradeNo, payAnswer, PayRefusal, priceTopUp } from "./top_up.ts";
import { returnBase } from "../../payments/top_up_settings.ts";
import { stripeClient, stripeSettings } from "../../payments/stripe/client.ts";
import { insertTopUp, PaymentProvider } from "../../store/top_ups.ts";
import { log } from "../../server/logger.ts";

const SMALL_BODY = 16 * 1024;
/** New API's cap on one Stripe top-up. */
const MAX_STRIPE_AMOUNT = 10000;
const body = z.object({
  amount: z.int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  payment_method: z.string().max(64).optional(),
});

export function stripeTopUpRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const user = requireUser(deps);

  app.post("/api/user/stripe/amount", user, (c) =>
    payAnswer(c, async () => {
      const { amount } = await readJson(c, body, SMALL_BODY);
      const s = stripeSettings(deps.catalog);
      const { money } = priceTopUp(deps, authOf(c).user, amount, s.unitPrice, "StripeMinTopUp");
      return c.json({ message: "success", data: money.toFixed(2) });
    }));

  app.post("/api/user/stripe/pay", user, (c) =>
    payAnswer(c, async () => {
      const req = await readJson(c, body, SMALL_BODY);
      if (req.payment_method !== "stripe") throw new PayRefusal("api.topup_stripe_method");
      const s = stripeSettings(deps.catalog);
      if (!s.enabled) throw new PayRefusal("api.topup_not_configured");
      const me = authOf(c).user;
      const { units, money } = priceTopUp(deps, me, req.amount, s.unitPrice, "StripeMinTopUp");
      if (units > MAX_STRIPE_AMOUNT) throw new PayRefusal("api.topup_too_large");
      const tradeNo = `ref_${newTradeNo(me.id)}`;
      const site = returnBase(deps.catalog, new URL(c.req.url).origin);
      let payLink: string | null;
      try {
        const session = await stripeClient(s.apiSecret, deps.config.stripeApiBase).checkout.sessions.create({
          mode: "payment",
          client_reference_id: tradeNo,
          line_items: [{ price: s.priceId, quantity: units }],
          success_url: `${site}/console/log`,
          cancel_url: `${site}/console/topup`,
          allow_promotion_codes: s.promotionCodes,
          ...(me.email ? { customer_email: me.email } : {}),
          customer_creation: "always",
          metadata: { trade_no: tradeNo, user_id: String(me.id) },
        });
        payLink = session.url;
      } catch (err) {
        log.error("stripe checkout session failed", {
          user_id: me.id,
          trade_no: tradeNo,
          error: String(err),
        });
        throw new PayRefusal("api.topup_provider_failed");
      }
      if (!payLink) throw new PayRefusal("api.topup_provider_failed");
      await insertTopUp(deps.db, {
        userId: me.id,
        amount: units,
        money,
        tradeNo,
        paymentMethod: "stripe",
        paymentProvider: PaymentProvider.stripe,
      });
      log.info("stripe order created", { user_id: me.id, trade_no: tradeNo, units });
      return c.json({ message: "success", data: { pay_link: payLink } });
    }));

  return app;
}
