/**
 * Key-query routes with read-only token auth (New API shapes): `GET /api/usage/token/` (the token's
 * quota) and `GET /api/log/token` (its newest 100 log rows, as their owner sees them).
 */
import { Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { listLogs } from "../../store/logs.ts";
import { tokenFromKey } from "./token_key_auth.ts";
import { userLogItem } from "./log_view.ts";
import { fail, ok } from "./respond.ts";
import { msgFor } from "./messages.ts";

export function tokenUsageRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.get("/api/usage/token", (c) => {
    const found = tokenFromKey(deps, c, { readOnly: true });
    if ("error" in found) return fail(c, 401, msgFor(c, found.error));
    const t = found.token;
    return c.json({
      code: true,
      message: "ok",
      data: {
        object: "token_usage",
        name: t.name,
        total_granted: t.remainQuota + t.usedQuota,
        total_used: t.usedQuota,
        total_available: t.remainQuota,
        unlimited_quota: t.unlimitedQuota,
        model_limits: Object.fromEntries([...(t.modelLimitSet ?? [])].map((m) => [m, true])),
        model_limits_enabled: t.modelLimitsEnabled,
        expires_at: t.expiredTime === -1 ? 0 : t.expiredTime,
      },
    });
  });

  app.get("/api/log/token", async (c) => {
    const found = tokenFromKey(deps, c, { readOnly: true });
    if ("error" in found) return fail(c, 401, msgFor(c, found.error));
    const { items } = await listLogs(
      deps.logDb,
      { tokenId: found.token.id, userId: found.token.userId },
      0,
      100,
    );
    return ok(c, items.map(userLogItem));
  });

  return app;
}
