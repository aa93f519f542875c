/**
 * Creem top-up, New API's route: `POST /api/user/creem/pay {product_id, payment_method: "creem"}` makes a
 * pending `top_ups` order for one of `CreemProducts` (amount = the product's quota, money = its price, as
 * New API stores it) and a Creem checkout whose `request_id` is the order's trade number; it answers
 * `{message: "success", data: {checkout_url, order_id}}`. The order is completed by the webhook.
 */
import { createHash } from "node:crypto";
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, authOf, requireUser } from "../../auth/middleware.ts";
import { readJson } from "./input.ts";
import { payAnswer, PayRefusal } from "./top_up.ts";
import { maxQuota } from "../../options/accounts.ts";
import { createCreemCheckout, creemApiBase, creemSettings } from "../../payments/creem/client.ts";
import { expireTopUp, insertTopUp, PaymentProvider } from "../../store/top_ups.ts";
import { randomAlphanumeric } from "../../crypto/token_key.ts";
import { log } from "../../server/logger.ts";

const SMALL_BODY = 16 * 1024;
const body = z.object({ product_id: z.string().max(128), payment_method: z.string().max(64) });

/** New API's Creem reference: `ref_` + SHA-1 of the user, the time and a random part. */
function creemReference(userId: number): string {
  const seed = `creem-api-ref-${userId}-${Date.now()}-${randomAlphanumeric(8)}`;
  return `ref_${createHash("sha1").update(seed).digest("hex")}`;
}

export function creemTopUpRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const user = requireUser(deps);

  app.post("/api/user/creem/pay", user, (c) =>
    payAnswer(c, async () => {
      const req = await readJson(c, body, SMALL_BODY);
      if (req.payment_method !== "creem") throw new PayRefusal("api.topup_creem_method");
      const s = creemSettings(deps.catalog);
      if (!s.enabled) throw new PayRefusal("api.topup_not_configured");
      if (req.product_id === "") throw new PayRefusal("api.topup_creem_product_needed");
      const product = s.products.find((p) => p.productId === req.product_id);
      if (!product) throw new PayRefusal("api.topup_creem_product_unknown");
      const me = authOf(c).user;
      const cap = maxQuota(deps.catalog);
      const current = deps.catalog.user(me.id)?.quota ?? me.quota;
      if (product.quota > cap || current > cap - product.quota) throw new PayRefusal("api.topup_balance_cap");
      const tradeNo = creemReference(me.id);
      // The order exists before Creem can call back about it.
      await insertTopUp(deps.db, {
        userId: me.id,
        amount: product.quota,
        money: product.price,
        tradeNo,
        paymentMethod: "creem",
        paymentProvider: PaymentProvider.creem,
      });
      let checkoutUrl: string;
      try {
        checkoutUrl = await createCreemCheckout(
          creemApiBase(deps.config.creemApiBase, s.testMode),
          s.apiKey,
          {
            productId: product.productId,
            requestId: tradeNo,
            email: me.email,
            metadata: {
              username: me.username,
              reference_id: tradeNo,
              product_name: product.name,
              quota: String(product.quota),
            },
          },
        );
      } catch (err) {
        await expireTopUp(deps.db, tradeNo, PaymentProvider.creem);
        log.error("creem checkout failed", { user_id: me.id, trade_no: tradeNo, error: String(err) });
        throw new PayRefusal("api.topup_provider_failed");
      }
      log.info("creem order created", { user_id: me.id, trade_no: tradeNo, product: product.productId });
      return c.json({ message: "success", data: { checkout_url: checkoutUrl, order_id: tradeNo } });
    }));

  return app;
}
