/**
 * OpenAI's legacy billing endpoints, which key-query tools call (New API shapes, also under `/v1`):
 * `subscription` reports (remaining + used) as every limit, `usage` reports used × 100 (cents).
 * Amounts follow the display type (USD ÷ QuotaPerUnit, CNY × USDExchangeRate, TOKENS raw); figures are
 * the token's when DisplayTokenStatEnabled (the default), else its owner's.
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { optionRegistry } from "../../options/index.ts";
import { tokenFromKey } from "./token_key_auth.ts";
import { msg } from "./messages.ts";

function openAiError(c: Context, message: string) {
  return c.json({ error: { message, type: "new_api_error", param: null, code: "invalid_api_key" } }, 401);
}

function amount(deps: AppDeps, quota: number): number {
  const perUnit = optionRegistry.float(deps.catalog, "QuotaPerUnit") || 500_000;
  switch (optionRegistry.string(deps.catalog, "general_setting.quota_display_type")) {
    case "TOKENS":
      return quota;
    case "CNY":
      return quota / perUnit * optionRegistry.float(deps.catalog, "USDExchangeRate");
    default:
      return quota / perUnit;
  }
}

export function dashboardBillingRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  const figures = (c: Context) => {
    const found = tokenFromKey(deps, c, { readOnly: false });
    if ("error" in found) return found;
    const t = found.token;
    if (optionRegistry.bool(deps.catalog, "DisplayTokenStatEnabled")) {
      return { token: t, remain: t.remainQuota, used: t.usedQuota, unlimited: t.unlimitedQuota };
    }
    const u = deps.catalog.user(t.userId);
    return { token: t, remain: u?.quota ?? 0, used: u?.usedQuota ?? 0, unlimited: false };
  };

  const subscription = (c: Context) => {
    const f = figures(c);
    if ("error" in f) return openAiError(c, msg(f.error));
    const limit = f.unlimited ? 100_000_000 : amount(deps, f.remain + f.used);
    return c.json({
      object: "billing_subscription",
      has_payment_method: true,
      soft_limit_usd: limit,
      hard_limit_usd: limit,
      system_hard_limit_usd: limit,
      access_until: f.token.expiredTime > 0 ? f.token.expiredTime : 0,
    });
  };

  const usage = (c: Context) => {
    const f = figures(c);
    if ("error" in f) return openAiError(c, msg(f.error));
    return c.json({ object: "list", total_usage: amount(deps, f.used) * 100 });
  };

  for (const prefix of ["", "/v1"]) {
    app.get(`${prefix}/dashboard/billing/subscription`, subscription);
    app.get(`${prefix}/dashboard/billing/usage`, usage);
  }
  return app;
}
