/**
 * Builds the Hono application from its dependencies: the management API, the relay and the console are
 * mounted here. Tests call `createApp(deps).request(...)` in-process.
 */
import { Hono } from "hono";
import type { AppDeps } from "./deps.ts";
import { statusRoutes } from "../routes/api/status.ts";
import { contentRoutes } from "../routes/api/content.ts";
import { type ConsoleOptions, consoleOptionsFor, consoleRoutes, renderNotFound } from "../routes/console.ts";
import { logRoutes } from "../routes/api/logs.ts";
import { quotaDataRoutes } from "../routes/api/quota_data.ts";
import { tokenUsageRoutes } from "../routes/api/token_usage.ts";
import { dashboardBillingRoutes } from "../routes/api/dashboard_billing.ts";
import { setupRoutes } from "../routes/api/setup.ts";
import { userAuthRoutes } from "../routes/api/user_auth.ts";
import { emailAuthRoutes } from "../routes/api/email_auth.ts";
import { oauthRoutes } from "../routes/api/oauth.ts";
import { telegramRoutes } from "../routes/api/oauth_telegram.ts";
import { wechatRoutes } from "../routes/api/oauth_wechat.ts";
import { twoFaRoutes } from "../routes/api/two_fa.ts";
import { loginSessionRoutes } from "../routes/api/login_sessions.ts";
import { secureVerifyRoutes } from "../routes/api/secure_verify.ts";
import { useTurnstile } from "../auth/turnstile.ts";
import { passkeyRoutes } from "../routes/api/passkey.ts";
import { emailCodeStore } from "../auth/email_codes.ts";
import { userSelfRoutes } from "../routes/api/user_self.ts";
import { userSettingRoutes } from "../routes/api/user_setting.ts";
import { pricingRoutes } from "../routes/api/pricing.ts";
import { groupRoutes } from "../routes/api/groups.ts";
import { modelMetaRoutes } from "../routes/api/model_meta.ts";
import { topUpRoutes } from "../routes/api/top_up.ts";
import { checkinRoutes } from "../routes/api/checkin.ts";
import { topUpAdminRoutes } from "../routes/api/top_up_admin.ts";
import { epayNotifyRoutes } from "../routes/api/epay_notify.ts";
import { stripeTopUpRoutes } from "../routes/api/stripe_top_up.ts";
import { stripeWebhookRoutes } from "../routes/api/stripe_webhook.ts";
import { creemTopUpRoutes } from "../routes/api/creem_top_up.ts";
import { creemWebhookRoutes } from "../routes/api/creem_webhook.ts";
import { subscriptionRoutes } from "../routes/api/subscriptions.ts";
import { subscriptionAdminRoutes } from "../routes/api/subscription_admin.ts";
import { subscriptionPayRoutes } from "../routes/api/subscription_pay.ts";
import { inviteRoutes } from "../routes/api/invites.ts";
import { redemptionRoutes } from "../routes/api/redemptions.ts";
import { userAdminRoutes } from "../routes/api/users.ts";
import { tokenRoutes } from "../routes/api/tokens.ts";
import { channelBulkRoutes } from "../routes/api/channel_bulk.ts";
import { channelRoutes } from "../routes/api/channels.ts";
import { channelKeyRoutes } from "../routes/api/channel_keys.ts";
import { channelModelRoutes } from "../routes/api/channel_models.ts";
import { channelBalanceRoutes } from "../routes/api/channel_balance.ts";
import { systemInfoRoutes } from "../routes/api/system_info.ts";
import { systemTaskRoutes } from "../routes/api/system_tasks.ts";
import { performanceRoutes } from "../routes/api/performance.ts";
import { rankingRoutes } from "../routes/api/rankings.ts";
import { optionRoutes } from "../routes/api/options.ts";
import { channelTestRoutes } from "../routes/api/channel_test.ts";
import { relayRoutes } from "../relay/routes.ts";
import { metricsRoutes } from "../routes/metrics.ts";
import { taskLogRoutes } from "../routes/api/task_logs.ts";
import { renderApiError } from "../routes/api/errors.ts";
import { refuseNulInQuery } from "../routes/api/input.ts";
import { log } from "./logger.ts";
import { useApiLimits } from "./api_limits.ts";
import { msgFor } from "../routes/api/messages.ts";

/** Paths whose errors use OpenAI's error shape rather than the `/api` envelope. */
const relayPath =
  /^\/(v1|v1beta|dashboard|mj|suno|pg|(fast|relax|turbo|mj-fast|mj-relax|mj-turbo)\/mj)(\/|$)/;

/** Paths of the management API, whose errors use the `{success, message}` envelope. */
const apiPath = /^\/api(\/|$)/;

/** `consoleOptions` replaces parts of the console's defaults (`consoleOptionsFor`: the real session). */
export function createApp(deps: AppDeps, consoleOverrides: ConsoleOptions = {}): Hono {
  const consoleOptions: ConsoleOptions = { ...consoleOptionsFor(deps), ...consoleOverrides };
  // Not strict: New API's clients call both `/api/token` and `/api/token/`.
  const app = new Hono({ strict: false });

  useApiLimits(app, deps);
  app.use("/api/*", refuseNulInQuery);
  useTurnstile(app, deps);
  app.route("/", statusRoutes(deps));
  app.route("/", metricsRoutes(deps));
  app.route("/", contentRoutes(deps));
  app.route("/", setupRoutes(deps));
  // /api/user/* routes with fixed paths come before the admin routes' `/api/user/:id`.
  app.route("/", userAuthRoutes(deps));
  app.route("/", emailAuthRoutes(deps, emailCodeStore(deps.kv, deps.secrets.sessionSecret)));
  app.route("/", telegramRoutes(deps));
  app.route("/", wechatRoutes(deps));
  app.route("/", oauthRoutes(deps));
  app.route("/", twoFaRoutes(deps));
  app.route("/", loginSessionRoutes(deps));
  app.route("/", secureVerifyRoutes(deps));
  app.route("/", passkeyRoutes(deps));
  app.route("/", userSelfRoutes(deps));
  app.route("/", userSettingRoutes(deps));
  // Before groupRoutes: the admin `GET /api/models/` must see the request before the user's `/api/models`.
  app.route("/", modelMetaRoutes(deps));
  app.route("/", groupRoutes(deps));
  app.route("/", redemptionRoutes(deps));
  app.route("/", topUpRoutes(deps));
  app.route("/", checkinRoutes(deps));
  app.route("/", topUpAdminRoutes(deps));
  app.route("/", epayNotifyRoutes(deps));
  app.route("/", stripeTopUpRoutes(deps));
  app.route("/", stripeWebhookRoutes(deps));
  app.route("/", creemTopUpRoutes(deps));
  app.route("/", creemWebhookRoutes(deps));
  app.route("/", subscriptionRoutes(deps));
  app.route("/", subscriptionAdminRoutes(deps));
  app.route("/", subscriptionPayRoutes(deps));
  app.route("/", inviteRoutes(deps));
  app.route("/", userAdminRoutes(deps));
  app.route("/", tokenRoutes(deps));
  app.route("/", channelTestRoutes(deps));
  app.route("/", channelBulkRoutes(deps));
  app.route("/", channelKeyRoutes(deps));
  app.route("/", channelModelRoutes(deps));
  app.route("/", channelBalanceRoutes(deps));
  app.route("/", systemInfoRoutes(deps));
  app.route("/", systemTaskRoutes(deps));
  app.route("/", performanceRoutes(deps));
  app.route("/", rankingRoutes(deps));
  app.route("/", channelRoutes(deps));
  app.route("/", optionRoutes(deps));
  app.route("/", pricingRoutes(deps));
  app.route("/", consoleRoutes(deps, consoleOptions));
  app.route("/", logRoutes(deps));
  app.route("/", quotaDataRoutes(deps));
  app.route("/", tokenUsageRoutes(deps));
  app.route("/", dashboardBillingRoutes(deps));
  app.route("/", taskLogRoutes(deps));
  app.route("/", relayRoutes(deps));

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
      return c.json({ success: false, message: msgFor(c, "api.not_found") }, 404);
    }
    return renderNotFound(c, consoleOptions);
  });

  app.onError((err, c) => {
    const path = new URL(c.req.url).pathname;
    if (!relayPath.test(path)) {
      const rendered = renderApiError(c, err);
      if (rendered) return rendered;
    }
    log.error("unhandled error", { path, error: String(err) });
    if (relayPath.test(path)) {
      return c.json(
        { error: { message: "internal error", type: "new_api_error", param: null, code: "" } },
        500,
      );
    }
    return c.json({ success: false, message: msgFor(c, "api.internal_error") }, 500);
  });

  return app;
}
