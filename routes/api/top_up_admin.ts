/**
 * Administrators' view of online top-ups, New API's routes: `GET /api/user/topup` (every order, newest
 * first, `keyword` searches trade numbers) and `POST /api/user/topup/complete` (mark a pending order paid
 * and credit it, once; an order already completed answers success and changes nothing).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, authOf, requireAdmin } from "../../auth/middleware.ts";
import { ok } from "./respond.ts";
import { badRequest, notFound } from "./errors.ts";
import { NO_NUL, pageData, readJson, readPaging, readQuery } from "./input.ts";
import { msg } from "./messages.ts";
import { topUpView } from "./views.ts";
import { formatQuota } from "./quota_text.ts";
import { optionRegistry as o } from "../../options/index.ts";
import { maxQuota } from "../../options/accounts.ts";
import { topUpQuota } from "../../payments/top_up_price.ts";
import { completeTopUp, listTopUps } from "../../store/top_ups.ts";
import { accountLogRow, AccountLogType } from "../../store/account_logs.ts";
import { log } from "../../server/logger.ts";

export function topUpAdminRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const admin = requireAdmin(deps);

  app.get("/api/user/topup", admin, async (c) => {
    const paging = readPaging(c);
    const { keyword } = readQuery(c, z.object({ keyword: z.string().max(128).regex(NO_NUL).optional() }));
    const { items, total } = await listTopUps(deps.db, {
      keyword,
      limit: paging.pageSize,
      offset: paging.offset,
    });
    return ok(c, pageData(paging, items.map(topUpView), total));
  });

  app.post("/api/user/topup/complete", admin, async (c) => {
    const { trade_no: tradeNo } = await readJson(
      c,
      z.object({ trade_no: z.string().trim().min(1).max(255).regex(NO_NUL) }),
    );
    const perUnit = o.float(deps.catalog, "QuotaPerUnit") || 500000;
    const ip = c.get("clientIp") ?? "";
    const result = await completeTopUp(deps.db, deps.billing.logQueue, {
      tradeNo,
      quotaOf: (order) => topUpQuota(order.amount, perUnit),
      maxBalance: maxQuota(deps.catalog),
      onCompleted: async (order, quota, addLog) => {
        await addLog(accountLogRow({
          userId: order.userId,
          username: deps.catalog.user(order.userId)?.username ?? "",
          type: AccountLogType.topup,
          content: msg("api.log_topup_manual", {
            trade_no: order.tradeNo,
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
      log.info("top-up completed by an administrator", {
        trade_no: tradeNo,
        admin_id: authOf(c).user.id,
        quota: result.quota,
      });
      return ok(c);
    }
    if (result.reason === "already_done") return ok(c);
    if (result.reason === "not_found") throw notFound("api.topup_not_found");
    if (result.reason === "cap") throw badRequest("api.topup_balance_cap");
    throw badRequest("api.topup_not_pending");
  });

  return app;
}
