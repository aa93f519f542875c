/**
 * New API's daily check-in for signed-in users: `GET /api/user/checkin` (the setting, the month's records
 * and all-time totals; `?month=YYYY-MM`, default the current month) and `POST /api/user/checkin` (once per
 * user per server-local calendar day, a reward drawn from checkin_setting's range). Both are refused while
 * `checkin_setting.enabled` is off.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, authOf, requireUser } from "../../auth/middleware.ts";
import { ok } from "./respond.ts";
import { badRequest } from "./errors.ts";
import { readQuery } from "./input.ts";
import { msg, msgFor } from "./messages.ts";
import { formatQuota } from "./quota_text.ts";
import { checkinSetting, drawCheckinReward } from "../../options/checkin.ts";
import { maxQuota } from "../../options/accounts.ts";
import { checkIn, checkinStats, localDay, localMonth } from "../../store/checkins.ts";
import { accountLogRow, AccountLogType } from "../../store/account_logs.ts";

const monthQuery = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "api.checkin_month").optional(),
});

export function checkinRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const user = requireUser(deps);

  const enabledSetting = () => {
    const setting = checkinSetting(deps.catalog);
    if (!setting.enabled) throw badRequest("api.checkin_disabled");
    return setting;
  };

  app.get("/api/user/checkin", user, async (c) => {
    const setting = enabledSetting();
    const now = new Date();
    const { month } = readQuery(c, monthQuery);
    const stats = await checkinStats(deps.db, authOf(c).user.id, month ?? localMonth(now), localDay(now));
    return ok(c, {
      enabled: setting.enabled,
      min_quota: setting.minQuota,
      max_quota: setting.maxQuota,
      stats,
    });
  });

  app.post("/api/user/checkin", user, async (c) => {
    const setting = enabledSetting();
    const me = authOf(c).user;
    const result = await checkIn(deps.db, deps.billing.logQueue, {
      userId: me.id,
      day: localDay(),
      quota: drawCheckinReward(setting),
      maxBalance: maxQuota(deps.catalog),
      onCheckedIn: async (checkin, addLog) => {
        // New API: RecordLog(userId, LogTypeSystem, …) — the reward is in the text, the row's quota is 0.
        await addLog(accountLogRow({
          userId: me.id,
          username: me.username,
          type: AccountLogType.system,
          content: msg("api.log_checkin", { quota: formatQuota(deps.catalog, checkin.quotaAwarded) }),
          ip: c.get("clientIp") ?? "",
        }));
      },
    });
    if (!result.ok) {
      throw badRequest(result.reason === "already" ? "api.checkin_already" : "api.checkin_failed");
    }
    await deps.cache.publish({ kind: "user", id: me.id });
    return ok(c, {
      quota_awarded: result.checkin.quotaAwarded,
      checkin_date: result.checkin.checkinDate,
    }, msgFor(c, "api.checkin_success"));
  });

  return app;
}
