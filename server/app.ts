/**
 * Builds the Hono application from its dependencies: the management API, the relay and the console are
 * mounted here. Tests call `createApp(deps).request(...)` in-process.
 */
import { Hono } from "hono";
import type { AppDeps } from "./deps.ts";
import { statusRoutes } from "../routes/api/status.ts";
import { type ConsoleOptions, consoleRoutes, renderNotFound } from "../routes/console.ts";
import { logRoutes } from "../routes/api/logs.ts";
import { quotaDataRoutes } from "../routes/api/quota_data.ts";
import { tokenUsageRoutes } from "../routes/api/token_usage.ts";
import { dashboardBillingRoutes } from "../routes/api/dashboard_billing.ts";
import { log } from "./logger.ts";
import { useApiLimits } from "./api_limits.ts";
import { t } from "../i18n/translate.ts";
import { requestLanguage } from "../i18n/request_language.ts";

/** Paths whose errors use OpenAI's error shape rather than the `/api` envelope. */
const relayPath = /^\/(v1|v1beta|dashboard|mj|suno|pg)(\/|$)/;

/** Paths of the management API, whose errors use the `{success, message}` envelope. */
const apiPath = /^\/api(\/|$)/;

export function createApp(deps: AppDeps, consoleOptions: ConsoleOptions = {}): Hono {
  const app = new Hono();

  useApiLimits(app, deps);
  app.route("/", statusRoutes(deps));
  app.route("/", consoleRoutes(deps, consoleOptions));
  app.route("/", logRoutes(deps));
  app.route("/", quotaDataRoutes(deps));
  app.route("/", tokenUsageRoutes(deps));
  app.route("/", dashboardBillingRoutes(deps));

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    if (relayPath.test(path)) {
      return c.json({
        error: {
          message: `Invalid URL (${c.req.method} ${path})`,
          type: "invalid_request_error",
          param: null,
          code: "",
        },
      }, 404);
    }
    if (apiPath.test(path)) {
      return c.json({ success: false, message: t(requestLanguage(c), "api.not_found") }, 404);
    }
    return renderNotFound(c, consoleOptions);
  });

  app.onError((err, c) => {
    log.error("unhandled error", { path: new URL(c.req.url).pathname, error: String(err) });
    const path = new URL(c.req.url).pathname;
    if (relayPath.test(path)) {
      return c.json(
        { error: { message: "internal error", type: "new_api_error", param: null, code: "" } },
        500,
      );
    }
    return c.json({ success: false, message: t(requestLanguage(c), "api.internal_error") }, 500);
  });

  return app;
}
