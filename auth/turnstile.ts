/**
 * New API's Turnstile check: with `TurnstileCheckEnabled`, the routes it guards (sign-in, sign-up, email
 * codes, password reset, check-in) need a `?turnstile=` token that Cloudflare's siteverify (or
 * TURNSTILE_SITEVERIFY_URL) accepts for `TurnstileSecretKey` and the client's address. New API then
 * remembers a passed check in its session; there is no anonymous session here, so every guarded request
 * carries a fresh token (which siteverify spends anyway).
 */
import type { Hono, MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AppDeps } from "../server/deps.ts";
import { optionRegistry as o } from "../options/index.ts";
import { fetchSetting } from "../notify/settings.ts";
import { guardedFetch } from "../net/ssrf_fetch.ts";
import { apiError } from "../routes/api/errors.ts";
import { log } from "../server/logger.ts";

/** The routes New API puts behind `middleware.TurnstileCheck()`. */
export const turnstileRoutes: ["GET" | "POST", string][] = [
  ["POST", "/api/user/login"],
  ["POST", "/api/user/register"],
  ["GET", "/api/verification"],
  ["GET", "/api/reset_password"],
  ["POST", "/api/user/checkin"],
];

const answerSchema = z.object({ success: z.boolean() });

export function turnstileCheck(deps: AppDeps): MiddlewareHandler {
  return async function turnstileMiddleware(c, next) {
    if (!o.bool(deps.catalog, "TurnstileCheckEnabled")) return await next();
    const token = c.req.query("turnstile") ?? "";
    if (!token || token.length > 4096) throw apiError(400, "api.turnstile_missing");
    let verified: boolean;
    try {
      const res = await guardedFetch(deps.config.turnstileSiteverifyUrl, {
        setting: fetchSetting(deps.catalog),
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({
          secret: o.string(deps.catalog, "TurnstileSecretKey"),
          response: token,
          remoteip: c.get("clientIp") ?? "",
        }).toString(),
        timeoutMs: 10_000,
        maxBytes: 64 * 1024,
      });
      if (res.status !== 200) throw new Error(`siteverify answered ${res.status}`);
      verified = answerSchema.parse(JSON.parse(res.text())).success;
    } catch (err) {
      log.warn("turnstile siteverify unavailable", { error: String(err) });
      throw apiError(503, "api.turnstile_unavailable");
    }
    if (!verified) throw apiError(403, "api.turnstile_failed");
    await next();
  };
}

/** Mounts the check on New API's routes. Call before mounting them. */
export function useTurnstile(app: Hono, deps: AppDeps): void {
  const check = turnstileCheck(deps);
  for (const [method, path] of turnstileRoutes) app.on(method, path, check);
}
