/**
 * Epay's asynchronous notice, `GET|POST /api/user/epay/notify` (anonymous, as Epay calls it): the
 * signature is checked first, then the order (ours, Epay's, pending, same amount, same method) is
 * completed and credited once. Epay retries until it reads `success`, so a replay of a completed order
 * answers `success` and changes nothing; every refusal answers `fail`, changes nothing and is logged.
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { readBodyText } from "./input.ts";
import { ApiError } from "./errors.ts";
import { msg } from "./messages.ts";
import { formatQuota } from "./quota_text.ts";
import { optionRegistry as o } from "../../options/index.ts";
import { maxQuota } from "../../options/accounts.ts";
import { epayMerchant } from "../../payments/top_up_settings.ts";
import { type EpayParams, epayVerify } from "../../payments/epay/sign.ts";
import { toCents, topUpQuota } from "../../payments/top_up_price.ts";
import { completeTopUp, PaymentProvider } from "../../store/top_ups.ts";
import { accountLogRow, AccountLogType } from "../../store/account_logs.ts";
import { log } from "../../server/logger.ts";

/** Epay's notice is a dozen short fields; anything bigger is not Epay. */
const NOTIFY_BODY_LIMIT = 16 * 1024;

async function noticeParams(c: Context): Promise<EpayParams> {
  const source = c.req.method === "POST"
    ? new URLSearchParams(await readBodyText(c.req.raw, NOTIFY_BODY_LIMIT))
    : new URL(c.req.url).searchParams;
  const params: EpayParams = {};
  for (const [k, v] of source) if (!(k in params)) params[k] = v;
  return params;
}

export function epayNotifyRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  const notify = async (c: Context) => {
    const ip = c.get("clientIp") ?? "";
    const refuse = (reason: string, fields: Record<string, unknown> = {}) => {
      log.warn("epay notice refused", { reason, ip, ...fields });
      return c.text("fail");
    };
    const merchant = epayMerchant(deps.catalog);
    if (!merchant) return refuse("epay_not_configured");
    let params: EpayParams;
    try {
      params = await noticeParams(c);
    } catch (err) {
      if (err instanceof ApiError) return refuse("body_too_large");
      throw err;
    }
    if (Object.values(params).some((v) => v.includes("\0"))) return refuse("nul_in_params");
    // Nothing from the notice is trusted or logged beyond the trade number until the signature holds.
    if (!epayVerify(params, merchant.key)) return refuse("bad_signature", { trade_no: params.out_trade_no });
    const tradeNo = params.out_trade_no ?? "";
    if (params.pid !== undefined && params.pid !== merchant.pid) {
      return refuse("wrong_pid", { trade_no: tradeNo });
    }
    if (params.trade_status !== "TRADE_SUCCESS") {
      log.info("epay notice ignored", { trade_no: tradeNo, trade_status: params.trade_status, ip });
      return c.text("success");
    }
    const paid = Number(params.money);
    const perUnit = o.float(deps.catalog, "QuotaPerUnit") || 500000;
    const result = await completeTopUp(deps.db, deps.billing.logQueue, {
      tradeNo,
      provider: PaymentProvider.epay,
      matches: (order) =>
        order.paymentMethod === params.type && Number.isFinite(paid) &&
        toCents(paid) === toCents(order.money),
      quotaOf: (order) => topUpQuota(order.amount, perUnit),
      maxBalance: maxQuota(deps.catalog),
      onCompleted: async (order, quota, addLog) => {
        const username = deps.catalog.user(order.userId)?.username ?? "";
        await addLog(accountLogRow({
          userId: order.userId,
          username,
          type: AccountLogType.topup,
          content: msg("api.log_topup_online", {
            quota: formatQuota(deps.catalog, quota),
            money: order.money.toFixed(2),
          }),
          quota,
          ip,
        }));
      },
    });
    if (result.ok) {
      await deps.cache.publish({ kind: "user", id: result.order.userId });
      log.info("epay top-up credited", {
        trade_no: tradeNo,
        user_id: result.order.userId,
        quota: result.quota,
        ip,
      });
      return c.text("success");
    }
    if (result.reason === "already_done") {
      log.info("epay notice replayed for a completed order; nothing changed", { trade_no: tradeNo, ip });
      return c.text("success");
    }
    return refuse(result.reason, { trade_no: tradeNo, type: params.type, money: params.money });
  };

  app.get("/api/user/epay/notify", notify);
  app.post("/api/user/epay/notify", notify);
  return app;
}
