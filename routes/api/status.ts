/** `GET /api/status`: public site status in New API's shape, also the health check. */
import { Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { fail, ok } from "./respond.ts";
import { queryOne } from "../../store/db.ts";
import { VERSION } from "../../server/version.ts";
import { t } from "../../i18n/translate.ts";
import { requestLanguage } from "../../i18n/request_language.ts";

/** True once the first-run setup created a root user (cached: it never goes back to false). */
export async function isSetUp(deps: AppDeps): Promise<boolean> {
  if (deps.state.setUp) return true;
  const row = await queryOne(
    deps.db,
    "SELECT 1 AS one FROM setups UNION ALL SELECT 1 AS one FROM users WHERE role = 100 AND deleted_at IS NULL LIMIT 1",
  );
  if (row) deps.state.setUp = true;
  return Boolean(row);
}

export function statusRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/api/status", async (c) => {
    if (deps.state.draining) return fail(c, 503, t(requestLanguage(c), "api.shutting_down"));
    return ok(c, {
      version: deps.config.versionOverride ?? VERSION,
      start_time: deps.startedAt,
      setup: await isSetUp(deps),
      database_type: deps.db.dialect,
      node_name: deps.config.nodeName,
      system_name: "New API",
      quota_per_unit: 500000,
      display_in_currency: true,
    });
  });
  return app;
}
