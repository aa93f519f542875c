/**
 * Where New API applies its per-IP limits, mounted before any route so they hold even for handlers
 * added later: the global API limit on all of `/api`, the critical limit on sign-in, sign-up, password
 * reset, OAuth, step-up verification, key reveal, payments and usage queries, the search limit on
 * searches; New API's email-verification limit (2 per 30 s, switched with the critical one) on
 * `GET /api/verification`; the global web limit on the console's pages (not on `/static/`, whose content-hashed files a
 * browser caches: New API's one-bundle front-end loads a handful once, our islands load per page).
 */
import type { Hono } from "hono";
import type { AppDeps } from "./deps.ts";
import { clientIpMiddleware, parseTrustedProxies } from "./client_ip.ts";
import { ipRateLimit } from "./ip_rate_limit.ts";

type Method = "GET" | "POST";

/** Routes under New API's CriticalRateLimit (its router/api-router.go). */
export const criticalRoutes: [Method[], string][] = [
  [["POST"], "/api/user/login"],
  [["POST"], "/api/user/login/2fa"],
  [["POST"], "/api/user/register"],
  [["POST"], "/api/user/reset"],
  [["POST"], "/api/user/passkey/login/*"],
  [["GET"], "/api/reset_password"],
  [["GET", "POST"], "/api/oauth/*"],
  [["POST"], "/api/auth/external/*"],
  [["POST"], "/api/verify"],
  [["POST"], "/api/channel/:id/key"],
  [["POST"], "/api/token/:id/key"],
  [["POST"], "/api/token/batch/keys"],
  [["POST"], "/api/user/topup"],
  [["POST"], "/api/user/pay"],
  [["POST"], "/api/user/:provider/pay"],
  [["POST"], "/api/subscription/:provider/pay"],
  [["GET"], "/api/usage/*"],
  [["GET"], "/api/ratio_config"],
];

/** Routes under New API's SearchRateLimit. */
export const searchRoutes: string[] = [
  "/api/token/search",
  "/api/log/search",
  "/api/log/self/search",
];

/** Paths that are neither the management API, nor the relay, nor static assets: the console's pages. */
const notWebPage = /^\/(api|v1|v1beta|dashboard|mj|suno|pg|static)(\/|$)/;

/** Sets the client IP and mounts the per-IP limits. Call before mounting any route. */
export function useApiLimits(app: Hono, deps: AppDeps): void {
  const { kv, config } = deps;
  app.use("*", clientIpMiddleware(parseTrustedProxies(config.trustedProxies)));
  app.use("/api/*", ipRateLimit({ kv, name: "GA", setting: config.rateLimits.globalApi }));
  const critical = ipRateLimit({ kv, name: "CT", setting: config.rateLimits.critical });
  for (const [methods, path] of criticalRoutes) app.on(methods, path, critical);
  // New API's EmailVerificationRateLimit has fixed numbers; CRITICAL_RATE_LIMIT_ENABLE switches it too.
  const emailSetting = { enabled: config.rateLimits.critical.enabled, limit: 2, durationSeconds: 30 };
  app.on("GET", "/api/verification", ipRateLimit({ kv, name: "EV", setting: emailSetting }));
  const search = ipRateLimit({ kv, name: "SR", setting: config.rateLimits.search });
  for (const path of searchRoutes) app.on("GET", path, search);
  const web = ipRateLimit({
    kv,
    name: "GW",
    setting: config.rateLimits.globalWeb,
    render: (c, message) => c.text(message, 429),
  });
  app.use("*", async function globalWebRateLimit(c, next) {
    if (notWebPage.test(c.req.path)) return await next();
    return await web(c, next);
  });
}
