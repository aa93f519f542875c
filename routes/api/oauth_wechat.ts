/**
 * New API's WeChat routes: `GET /api/oauth/wechat?code=` signs in the user bound to the openid the WeChat
 * server gives for the code (`users.wechat_id`), or signs up `wechat_<n>` with RegisterEnabled;
 * `POST /api/oauth/wechat/bind {code}` binds it to the signed-in user (POST with a JSON body since New API's
 * GHSA-26v7 fix: a GET that changed the account was a CSRF).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { apiError } from "./errors.ts";
import { readJson } from "./input.ts";
import { type AuthEnv, authOf, requireUser } from "../../auth/middleware.ts";
import { bindExternal, columnAccounts, signInOrUpExternal } from "../../auth/external_accounts.ts";
import { wechatIdByCode } from "../../auth/wechat.ts";
import { optionRegistry as o } from "../../options/index.ts";
import { finishSignIn } from "./user_auth.ts";

const bindBody = z.object({ code: z.string() });

export function wechatRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const accounts = columnAccounts(deps, { name: "WeChat", prefix: "wechat_", column: "wechat_id" });
  const requireEnabled = () => {
    if (!o.bool(deps.catalog, "WeChatAuthEnabled")) {
      throw apiError(403, "api.oauth_not_enabled", { provider: "WeChat" });
    }
  };
  const identity = (openid: string) => ({ providerUserId: openid, username: "", displayName: "", email: "" });

  app.get("/api/oauth/wechat", async (c) => {
    c.header("Cache-Control", "no-store");
    requireEnabled();
    const openid = await wechatIdByCode(deps.catalog, c.req.query("code") ?? "");
    const userId = await signInOrUpExternal(
      deps,
      accounts,
      identity(openid),
      c.req.query("aff") || undefined,
    );
    return await finishSignIn(deps, c, userId, { method: "wechat" });
  });

  app.post("/api/oauth/wechat/bind", requireUser(deps), async (c) => {
    requireEnabled();
    const body = await readJson(c, bindBody, 4096);
    const openid = await wechatIdByCode(deps.catalog, body.code);
    await bindExternal(deps, accounts, authOf(c).user.id, identity(openid));
    return ok(c);
  });

  return app;
}
