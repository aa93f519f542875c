/**
 * New API's public rankings, `GET /api/rankings?period=today|week|month|year|all` (week by default): the
 * model, vendor and user boards with movers and history (store/rankings.ts). Anyone may read it, as in New
 * API; the users' board is answered to admins only (null for others), since it names accounts.
 */
import { Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, optionalUser } from "../../auth/middleware.ts";
import { Role } from "../../store/users.ts";
import { nowSeconds } from "../../store/db.ts";
import { rankingPeriod, rankings } from "../../store/rankings.ts";
import { msgFor } from "./messages.ts";
import { ok } from "./respond.ts";

export function rankingRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/api/rankings", optionalUser(deps), async (c) => {
    const name = c.req.query("period") ?? "week";
    const period = rankingPeriod(name);
    if (!period) {
      return c.json(
        { success: false, message: msgFor(c, "api.ranking_period_invalid", { period: name.slice(0, 32) }) },
        400,
      );
    }
    const auth = c.get("auth");
    return ok(
      c,
      await rankings(deps.db, period, {
        now: nowSeconds(),
        withUsers: (auth?.user.role ?? 0) >= Role.admin,
        pending: deps.billing.quotaData.pendingRows(() => true),
      }),
    );
  });

  return app;
}
