/**
 * Redemption codes: administration (`/api/redemption`: list, search, read, bulk create with `count`,
 * update or toggle with `?status_only=true`, delete, delete invalid) and redeeming (`POST /api/user/topup`),
 * which credits at most once per code under any concurrency and writes a top-up log row in the same
 * transaction.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { badRequest, forbidden, notFound } from "./errors.ts";
import { bodyId, idParam, pageData, queryBool, readJson, readPaging, readQuery } from "./input.ts";
import { msg } from "./messages.ts";
import { redemptionView } from "./views.ts";
import { formatQuota } from "./quota_text.ts";
import { type AuthEnv, authOf, requireAdmin, requireUser } from "../../auth/middleware.ts";
import { maxQuota } from "../../options/accounts.ts";
import { nowSeconds } from "../../store/db.ts";
import { Role } from "../../store/users.ts";
import {
  createRedemptions,
  deleteInvalidRedemptions,
  deleteRedemption,
  getRedemption,
  listRedemptions,
  redeemCode,
  RedemptionStatus,
  updateRedemption,
} from "../../store/redemptions.ts";
import { accountLogRow, AccountLogType } from "../../store/account_logs.ts";

const quota = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const expiredTime = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

const createBody = z.object({
  name: z.string().max(256),
  quota,
  count: z.int().min(-1_000_000).max(1_000_000).optional(),
  expired_time: expiredTime.optional(),
});

const updateBody = z.object({
  id: bodyId,
  name: z.string().max(256).optional(),
  quota: quota.optional(),
  expired_time: expiredTime.optional(),
  // Consoles echo the stored status (3 = used); only enabling and disabling are applied.
  status: z.int().min(RedemptionStatus.enabled).max(RedemptionStatus.used).optional(),
});

const searchQuery = z.object({ keyword: z.string().max(128).optional() });

export function redemptionRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const admin = requireAdmin(deps);

  const checkName = (name: string) => {
    const n = [...name.trim()].length;
    if (n === 0 || n > 20) throw badRequest("api.redemption_name_length");
    return name.trim();
  };
  const checkQuota = (value: number) => {
    if (value <= 0) throw badRequest("api.redemption_quota_positive");
    const max = maxQuota(deps.catalog);
    if (value > max) throw badRequest("api.quota_too_large", { max });
    return value;
  };
  const checkExpiry = (value: number) => {
    if (value !== 0 && value < nowSeconds()) throw badRequest("api.expired_time_past");
    return value;
  };

  const list = async (c: Context<AuthEnv>) => {
    const q = readQuery(c, searchQuery);
    const paging = readPaging(c);
    const { items, total } = await listRedemptions(deps.db, deps.secrets.cryptoSecret, {
      offset: paging.offset,
      limit: paging.pageSize,
      keyword: q.keyword,
    });
    return ok(c, pageData(paging, items.map(redemptionView), total));
  };
  app.get("/api/redemption", admin, list);
  app.get("/api/redemption/search", admin, list);

  app.get("/api/redemption/:id{[0-9]+}", admin, async (c) => {
    const code = await getRedemption(deps.db, idParam(c, "api.redemption_not_found"));
    if (!code) throw notFound("api.redemption_not_found");
    return ok(c, redemptionView(code));
  });

  app.post("/api/redemption", admin, async (c) => {
    const body = await readJson(c, createBody);
    const count = body.count ?? 1;
    if (count < 1 || count > 100) throw badRequest("api.redemption_count_range");
    // The plaintext codes, once: only their hashes are stored.
    const keys = await createRedemptions(deps.db, deps.secrets.cryptoSecret, {
      userId: authOf(c).user.id,
      name: checkName(body.name),
      quota: checkQuota(body.quota),
      count,
      expiredTime: checkExpiry(body.expired_time ?? 0),
    });
    return ok(c, keys);
  });

  app.put("/api/redemption", admin, async (c) => {
    const statusOnly = readQuery(c, z.object({ status_only: queryBool.optional() })).status_only ?? false;
    const body = await readJson(c, updateBody);
    const existing = await getRedemption(deps.db, body.id);
    if (!existing) throw notFound("api.redemption_not_found");
    const settable = body.status === RedemptionStatus.enabled || body.status === RedemptionStatus.disabled;
    if (statusOnly) {
      if (!settable || existing.status === RedemptionStatus.used) {
        throw badRequest("api.redemption_status_invalid");
      }
      await updateRedemption(deps.db, existing.id, { status: body.status });
    } else {
      const quota = body.quota === undefined || body.quota === existing.quota
        ? undefined
        : checkQuota(body.quota);
      await updateRedemption(deps.db, existing.id, {
        name: body.name === undefined ? undefined : checkName(body.name),
        quota,
        // Whoever sets a code's value answers for it, and so may not redeem it (see redeemCode).
        userId: quota === undefined ? undefined : authOf(c).user.id,
        expiredTime: body.expired_time === undefined || body.expired_time === existing.expiredTime
          ? undefined
          : checkExpiry(body.expired_time),
        status: settable && existing.status !== RedemptionStatus.used ? body.status : undefined,
      });
    }
    return ok(c, redemptionView((await getRedemption(deps.db, existing.id))!));
  });

  app.delete("/api/redemption/invalid", admin, async (c) => ok(c, await deleteInvalidRedemptions(deps.db)));

  app.delete("/api/redemption/:id{[0-9]+}", admin, async (c) => {
    if (!(await deleteRedemption(deps.db, idParam(c, "api.redemption_not_found")))) {
      throw notFound("api.redemption_not_found");
    }
    return ok(c);
  });

  app.post("/api/user/topup", requireUser(deps), async (c) => {
    const { user } = authOf(c);
    const { key } = await readJson(c, z.object({ key: z.string().trim().min(1).max(128) }));
    const result = await redeemCode(
      deps.db,
      deps.secrets.cryptoSecret,
      key,
      user.id,
      user.role === Role.root,
      async (_tx, claimed, addLog) => {
        await addLog(accountLogRow({
          userId: user.id,
          username: user.username,
          type: AccountLogType.topup,
          content: msg("api.log_topup", {
            quota: formatQuota(deps.catalog, claimed.quota),
            id: claimed.redemptionId,
          }),
          quota: claimed.quota,
        }));
      },
      deps.billing.logQueue,
    );
    // The creator already knows the code, so telling them why reveals nothing.
    if (!result.ok && result.reason === "own_code") throw forbidden("api.redeem_own_code");
    // One answer for every other failure, so codes cannot be probed for their state (as New API does).
    if (!result.ok) throw badRequest("api.redeem_failed");
    await deps.cache.publish({ kind: "user", id: user.id });
    return ok(c, result.quota);
  });

  return app;
}
