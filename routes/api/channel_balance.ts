/**
 * New API's `GET /api/channel/update_balance/:id` (one channel: `{success, message, balance}`, the balance
 * in USD at the top level as New API answers it) and `GET /api/channel/update_balance` (every enabled
 * single-key channel with a balance source, waited for, as in New API). Admins only.
 */
import { Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, requireAdmin } from "../../auth/middleware.ts";
import {
  BalanceError,
  updateAllChannelBalances,
  updateChannelBalance,
} from "../../relay/health/channel_balance.ts";
import { apiError, badRequest, notFound } from "./errors.ts";
import { idParam } from "./input.ts";
import { ok } from "./respond.ts";

export function channelBalanceRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/api/channel/update_balance/:id{[0-9]+}", requireAdmin(deps), async (c) => {
    const channel = deps.catalog.channel(idParam(c, "api.channel_not_found"));
    if (!channel) throw notFound("api.channel_not_found");
    try {
      const balance = await updateChannelBalance(deps, channel);
      return c.json({ success: true, message: "", balance });
    } catch (err) {
      if (!(err instanceof BalanceError)) throw err;
      if (err.reason === "multi_key") throw badRequest("api.channel_balance_multi_key");
      if (err.reason === "unsupported" || err.reason === "no_key") {
        throw badRequest("api.channel_balance_unsupported");
      }
      throw apiError(502, "api.channel_balance_failed");
    }
  });

  app.get("/api/channel/update_balance", requireAdmin(deps), async (c) => {
    const run = await updateAllChannelBalances(deps, { disableUsedUp: false });
    return ok(c, run);
  });

  return app;
}
