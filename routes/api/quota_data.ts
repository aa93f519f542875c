/**
 * Dashboard aggregates (New API shapes): `GET /api/data/` for admins, `GET /api/data/self` for the caller.
 * Billing sums usage in memory and writes `quota_data` every DataExportInterval minutes; the answers add
 * this process's unwritten sums, so a request shows on the chart at once (other instances' after their
 * next flush).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import {
  mergeQuotaData,
  quotaDataForAdmin,
  quotaDataForUser,
  type QuotaDataRow,
} from "../../store/quota_data.ts";
import { type AuthEnv, authOf, requireAdmin, requireUser } from "../../auth/middleware.ts";
import { msgFor } from "./messages.ts";
import { queryInt, readQuery } from "./input.ts";
import { ok } from "./respond.ts";

const MAX_SELF_RANGE = 2_592_000;

const rangeQuery = z.object({
  start_timestamp: queryInt(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  end_timestamp: queryInt(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  username: z.string().max(64).optional(),
});

const inRange = (r: QuotaDataRow, start: number, end: number) => r.createdAt >= start && r.createdAt <= end;

const item = (r: QuotaDataRow) => ({
  id: r.id,
  user_id: r.userId,
  username: r.username,
  model_name: r.modelName,
  created_at: r.createdAt,
  token_used: r.tokenUsed,
  count: r.count,
  quota: r.quota,
});

export function quotaDataRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/api/data", requireAdmin(deps), async (c) => {
    const q = readQuery(c, rangeQuery);
    const username = q.username || undefined;
    const rows = await quotaDataForAdmin(deps.db, q.start_timestamp, q.end_timestamp, username);
    const pending = deps.billing.quotaData.pendingRows((r) =>
      inRange(r, q.start_timestamp, q.end_timestamp) && (username === undefined || r.username === username)
    );
    return ok(c, mergeQuotaData(rows, pending, username !== undefined).map(item));
  });

  app.get("/api/data/self", requireUser(deps), async (c) => {
    const q = readQuery(c, rangeQuery);
    // New API answers this one with 200 and success: false.
    if (q.end_timestamp - q.start_timestamp > MAX_SELF_RANGE) {
      return c.json({ success: false, message: msgFor(c, "api.range_too_long") });
    }
    const userId = authOf(c).user.id;
    const rows = await quotaDataForUser(deps.db, userId, q.start_timestamp, q.end_timestamp);
    const pending = deps.billing.quotaData.pendingRows((r) =>
      r.userId === userId && inRange(r, q.start_timestamp, q.end_timestamp)
    );
    return ok(c, mergeQuotaData(rows, pending, true).map(item));
  });

  return app;
}
