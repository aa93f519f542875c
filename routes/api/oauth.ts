/**
 * New API's OAuth routes for its standard providers (GitHub, Discord, OIDC, Linux DO):
 * `GET|POST /api/oauth/state` hands out a state bound to this browser (and to the signed-in user, who
 * then binds instead of signing in), `GET /api/oauth/:provider?code&state` is the callback its console
 * page calls: it signs in the bound user, signs up a new one (with RegisterEnabled), or binds the account
 * to the user who asked for the state. `GET /api/oauth/:provider/start` (ours) sends the browser to the
 * provider with a fresh state, and for OIDC PKCE and a nonce. `DELETE /api/user/:id/bindings/:type`
 * clears a binding (admins, on lower roles).
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { ok } from "./respond.ts";
import { apiError, badRequest, forbidden, notFound } from "./errors.ts";
import { idParam } from "./input.ts";
import {
  type AuthEnv,
  authOf,
  identify,
  optionalUser,
  requireAdmin,
  sameOriginOnly,
} from "../../auth/middleware.ts";
import { oauthStateStore, randomToken } from "../../auth/oauth_state.ts";
import { type OAuthContext, type OAuthProvider, oauthProviders } from "../../auth/oauth_providers.ts";
import { bindExternal, columnAccounts, signInOrUpExternal } from "../../auth/external_accounts.ts";
import { canManageRole } from "../../auth/roles.ts";
import { forwardedView, publicUrl } from "../../server/client_ip.ts";
import { optionRegistry as o } from "../../options/index.ts";
import { BINDING_COLUMNS, getUser, setUserBinding, updateUser, UserStatus } from "../../store/users.ts";
import { finishSignIn } from "./user_auth.ts";

export function oauthRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const states = oauthStateStore(
    deps.kv,
    deps.secrets.sessionSecret,
    (c) => deps.config.sessionCookieSecure || forwardedView(c).proto === "https",
  );

  const providerOf = (c: Context): OAuthProvider => {
    const provider = oauthProviders[c.req.param("provider") ?? ""];
    if (!provider) throw badRequest("api.oauth_unknown_provider");
    return provider;
  };
  const contextFor = (c: Context, provider: OAuthProvider): OAuthContext => {
    const base = o.string(deps.catalog, "ServerAddress").replace(/\/+$/, "") || publicUrl(c).origin;
    return { catalog: deps.catalog, config: deps.config, redirectUri: `${base}/oauth/${provider.slug}` };
  };
  const requireEnabled = (provider: OAuthProvider) => {
    if (!provider.enabled(deps.catalog)) {
      throw apiError(403, "api.oauth_not_enabled", { provider: provider.name });
    }
  };

  const issueState = async (c: Context<AuthEnv>) => {
    const state = await states.issue(c, {
      userId: c.get("auth")?.user.id,
      aff: c.req.query("aff") || undefined,
    });
    c.header("Cache-Control", "no-store");
    return ok(c, state);
  };
  // New API answers both (GET in older releases, POST with TryUserAuth in newer ones).
  app.get("/api/oauth/state", optionalUser(deps), issueState);
  app.post("/api/oauth/state", sameOriginOnly(), optionalUser(deps), issueState);

  app.get("/api/oauth/:provider/start", optionalUser(deps), async (c) => {
    const provider = providerOf(c);
    requireEnabled(provider);
    const flow = {
      userId: c.get("auth")?.user.id,
      aff: c.req.query("aff") || undefined,
      verifier: provider.slug === "oidc" ? randomToken(32) : undefined,
      nonce: provider.slug === "oidc" ? randomToken(16) : undefined,
    };
    const state = await states.issue(c, flow);
    c.header("Cache-Control", "no-store");
    return c.redirect(await provider.authorizeUrl(contextFor(c, provider), state, flow), 302);
  });

  app.get("/api/oauth/:provider", async (c) => {
    const provider = providerOf(c);
    const flow = await states.consume(c, c.req.query("state") ?? "");
    if (!flow) throw forbidden("api.oauth_state_invalid");
    requireEnabled(provider);
    if (c.req.query("error")) throw badRequest("api.oauth_denied");
    const code = c.req.query("code") ?? "";
    if (!code || code.length > 2048) throw badRequest("api.oauth_code_missing");
    c.header("Cache-Control", "no-store");
    if (flow.userId !== undefined) {
      // The account to bind is the one that asked for the state; a different signed-in caller is refused.
      const caller = await identify(deps, c).catch(() => undefined);
      if (caller && caller.user.id !== flow.userId) throw forbidden("api.oauth_state_invalid");
      const user = await getUser(deps.db, flow.userId);
      if (!user || user.status !== UserStatus.enabled) throw forbidden("api.user_disabled");
      const found = await provider.identify(contextFor(c, provider), code, flow);
      await bindExternal(deps, columnAccounts(deps, provider), user.id, found);
      return ok(c, { action: "bind" });
    }
    const found = await provider.identify(contextFor(c, provider), code, flow);
    const userId = await signInOrUpExternal(deps, columnAccounts(deps, provider), found, flow.aff);
    return await finishSignIn(deps, c, userId, { method: provider.slug });
  });

  app.delete("/api/user/:id/bindings/:binding_type", requireAdmin(deps), async (c) => {
    const id = idParam(c, "api.user_not_found");
    const type = c.req.param("binding_type");
    const target = await getUser(deps.db, id);
    if (!target) throw notFound("api.user_not_found");
    if (!canManageRole(authOf(c).user.role, target.role)) throw forbidden("api.cannot_manage_role");
    if (type === "email") {
      await updateUser(deps.db, id, { email: "" });
    } else if (Object.hasOwn(BINDING_COLUMNS, type)) {
      await setUserBinding(deps.db, id, BINDING_COLUMNS[type as keyof typeof BINDING_COLUMNS], "");
    } else {
      throw badRequest("api.binding_type_invalid");
    }
    await deps.cache.publish({ kind: "user", id });
    return ok(c);
  });

  return app;
}
