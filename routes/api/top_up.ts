/**
 * Online top-up for signed-in users, New API's routes and answers: `GET /api/user/topup/info` (what the
 * wallet offers), `POST /api/user/amount` (the price of an amount), `POST /api/user/pay` (an Epay order:
 * a pending `top_ups` row and the signed form to send the browser to), `GET /api/user/topup/self` (the
 * user's orders of the last 30 days). `/amount` and `/pay` answer in New API's `{message, data}` dialect,
 * errors included.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, authOf, requireUser } from "../../auth/middleware.ts";
import { ok } from "./respond.ts";
import { ApiError } from "./errors.ts";
import { NO_NUL, pageData, readJson, readPaging, readQuery } from "./input.ts";
import { type ApiMessageKey, msgFor } from "./messages.ts";
import type { MessageParams } from "../../i18n/messages.ts";
import { topUpView } from "./views.ts";
import { optionRegistry as o } from "../../options/index.ts";
import { maxQuota } from "../../options/accounts.ts";
import { topUpMoney, topUpQuota, topUpUnits } from "../../payments/top_up_price.ts";
import {
  callbackBase,
  epayMerchant,
  minTopUp,
  payMethods,
  returnBase,
  topUpPricing,
} from "../../payments/top_up_settings.ts";
import { epayPurchase } from "../../payments/epay/purchase.ts";
import { stripeSettings } from "../../payments/stripe/client.ts";
import { creemSettings } from "../../payments/creem/client.ts";
import { insertTopUp, listTopUps, PaymentProvider } from "../../store/top_ups.ts";
import { randomAlphanumeric } from "../../crypto/token_key.ts";
import { nowSeconds } from "../../store/db.ts";
import type { User } from "../../store/users.ts";
import { log } from "../../server/logger.ts";

const SMALL_BODY = 16 * 1024;
const amountBody = z.object({ amount: z.int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER) });
const payBody = amountBody.extend({ payment_method: z.string().max(64) });
const THIRTY_DAYS = 30 * 24 * 3600;

/** A refusal in New API's payment dialect: HTTP 200, `{message: "error", data: <why>}`. */
export class PayRefusal extends Error {
  constructor(readonly key: ApiMessageKey, readonly params?: MessageParams) {
    super(key);
  }
}

export function payAnswer(c: Context, run: () => Promise<Response>): Promise<Response> {
  return run().catch((err) => {
    if (err instanceof PayRefusal) return c.json({ message: "error", data: msgFor(c, err.key, err.params) });
    if (err instanceof ApiError && err.status === 400) {
      return c.json({ message: "error", data: msgFor(c, "api.topup_bad_request") });
    }
    throw err;
  });
}

/**
 * Checks an amount for `user` (minimum, ceiling, price above a cent) and returns its units, quota and
 * money. `price` is Price for Epay, StripeUnitPrice for Stripe.
 */
export function priceTopUp(deps: AppDeps, user: User, amount: number, price: number, minKey: string) {
  const cat = deps.catalog;
  const min = minTopUp(cat, minKey);
  if (amount < min) throw new PayRefusal("api.topup_min", { min });
  const pricing = topUpPricing(cat, user.group, price);
  const units = topUpUnits(amount, pricing);
  const quota = topUpQuota(units, pricing.quotaPerUnit);
  const cap = maxQuota(cat);
  if (!(quota > 0) || quota > cap) throw new PayRefusal("api.topup_too_large");
  const current = cat.user(user.id)?.quota ?? user.quota;
  if (current > cap - quota) throw new PayRefusal("api.topup_balance_cap");
  const money = topUpMoney(amount, pricing);
  if (!(money >= 0.01)) throw new PayRefusal("api.topup_money_too_low");
  return { units, quota, money };
}

/** New API's trade number shape: USR<user id>NO<6 random><unix seconds>. */
export function newTradeNo(userId: number): string {
  return `USR${userId}NO${randomAlphanumeric(6)}${nowSeconds()}`;
}

export function topUpRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const user = requireUser(deps);

  app.get("/api/user/topup/info", user, (c) => {
    const cat = deps.catalog;
    const stripe = stripeSettings(cat);
    const creem = creemSettings(cat);
    const methods = [...payMethods(cat)];
    if (stripe.enabled && !methods.some((m) => m.type === "stripe")) {
      methods.push({ name: "Stripe", type: "stripe", color: "#635BFF", min_topup: String(stripe.minTopUp) });
    }
    return ok(c, {
      enable_online_topup: epayMerchant(cat) !== undefined,
      enable_stripe_topup: stripe.enabled,
      enable_creem_topup: creem.enabled,
      enable_waffo_topup: false,
      enable_waffo_pancake_topup: false,
      enable_redemption: true,
      payment_compliance_confirmed: o.bool(cat, "payment_setting.compliance_confirmed"),
      payment_compliance_terms_version: o.string(cat, "payment_setting.compliance_terms_version"),
      waffo_pay_methods: null,
      pay_methods: methods,
      min_topup: o.int(cat, "MinTopUp"),
      stripe_min_topup: stripe.minTopUp,
      waffo_min_topup: o.int(cat, "WaffoMinTopUp"),
      waffo_pancake_min_topup: o.int(cat, "WaffoPancakeMinTopUp"),
      amount_options: o.json<number[]>(cat, "payment_setting.amount_options"),
      discount: o.json<Record<string, number>>(cat, "payment_setting.amount_discount"),
      topup_link: o.string(cat, "TopUpLink"),
      creem_products: creem.enabled ? creem.products : [],
      // New API's invite rebate on top-ups is not built: no rebate.
      invite_rebate: { times: 0, percent: 0 },
    });
  });

  app.post("/api/user/amount", user, (c) =>
    payAnswer(c, async () => {
      const { amount } = await readJson(c, amountBody, SMALL_BODY);
      const { money } = priceTopUp(deps, authOf(c).user, amount, o.float(deps.catalog, "Price"), "MinTopUp");
      return c.json({ message: "success", data: money.toFixed(2) });
    }));

  app.post("/api/user/pay", user, (c) =>
    payAnswer(c, async () => {
      const body = await readJson(c, payBody, SMALL_BODY);
      const me = authOf(c).user;
      const cat = deps.catalog;
      const { units, money } = priceTopUp(deps, me, body.amount, o.float(cat, "Price"), "MinTopUp");
      if (!payMethods(cat).some((m) => m.type === body.payment_method && m.type !== "stripe")) {
        throw new PayRefusal("api.topup_method_unknown");
      }
      const merchant = epayMerchant(cat);
      if (!merchant) throw new PayRefusal("api.topup_not_configured");
      const origin = new URL(c.req.url).origin;
      const tradeNo = newTradeNo(me.id);
      const purchase = epayPurchase(merchant, {
        type: body.payment_method,
        tradeNo,
        name: `TUC${body.amount}`,
        money: money.toFixed(2),
        notifyUrl: `${callbackBase(cat, origin)}/api/user/epay/notify`,
        returnUrl: `${returnBase(cat, origin)}/console/topup?trade_no=${tradeNo}`,
      });
      await insertTopUp(deps.db, {
        userId: me.id,
        amount: units,
        money,
        tradeNo,
        paymentMethod: body.payment_method,
        paymentProvider: PaymentProvider.epay,
      });
      log.info("epay order created", {
        user_id: me.id,
        trade_no: tradeNo,
        method: body.payment_method,
        money,
      });
      return c.json({ message: "success", data: purchase.params, url: purchase.url });
    }));

  app.get("/api/user/topup/self", user, async (c) => {
    const paging = readPaging(c);
    const { keyword } = readQuery(c, z.object({ keyword: z.string().max(128).regex(NO_NUL).optional() }));
    const { items, total } = await listTopUps(deps.db, {
      userId: authOf(c).user.id,
      keyword,
      since: nowSeconds() - THIRTY_DAYS,
      limit: paging.pageSize,
      offset: paging.offset,
    });
    return ok(c, pageData(paging, items.map(topUpView), total));
  });

  return app;
}
