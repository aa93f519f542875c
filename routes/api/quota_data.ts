/** Dashboard aggregates (New API shapes): `GET /api/data/` for admins, `GET /api/data/self` for the caller. */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { quotaDataForAdmin, quotaDataForUser, type QuotaDataRow } from "../../store/quota_data.ts";
import { type AuthEnv, authOf, requireAdmin, requireUser } from "../../auth/middleware.ts";
import { fail, ok } from "./respond.ts";

const MAX_SELF_RANGE = 2_592_000;

function range(c: Context): { start: number; end: number } | string {
  const start = Number(c.req.query("start_timestamp"));
  const end = Number(c.req.query("end_timestamp"));
  if (!Number.isSafeInteger(start)) return "start_timestamp must be an integer";
  if (!Number.isSafeInteger(end)) return "end_timestamp must be an integer";
  return { start, end };
}

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
    const r = range(c);
    if (typeof r === "string") return fail(c, 400, r);
    const username = c.req.query("username") || undefined;
    return ok(c, (await quotaDataForAdmin(deps.db, r.start, r.end, username)).map(item));
  });

  app.get("/api/data/self", requireUser(deps), async (c) => {
    const r = range(c);
    if (typeof r === "string") return fail(c, 400, r);
    if (r.end - r.start > MAX_SELF_RANGE) {
      return c.json({ success: false, message: "the time range cannot exceed one month" });
    }
    return ok(c, (await quotaDataForUser(deps.db, authOf(c).user.id, r.start, r.end)).map(item));
  });

  return app;
}
