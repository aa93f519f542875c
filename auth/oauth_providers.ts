/**
 * New API's standard OAuth providers (GitHub, Discord, OIDC, Linux DO): where each sends the browser, how
 * a code becomes an access token and the token an identity, and which `users` column holds the binding.
 * Every call goes through the SSRF-guarded client with the `fetch_setting.*` rules. OIDC adds what New
 * API leaves out: the discovery document, PKCE and the id_token, verified with `jose` against the
 * provider's JWKS (refetched once when a key id is unknown, so a rotation needs no restart), its
 * issuer, audience, expiry, nonce, and a subject equal to the userinfo one.
 */
import { createLocalJWKSet, errors as joseErrors, type JSONWebKeySet, jwtVerify } from "jose";
import { z } from "zod";
import type { Catalog } from "../store/cache/catalog.ts";
import type { Config } from "../config/env.ts";
import type { BindingColumn } from "../store/users.ts";
import { optionRegistry as o } from "../options/index.ts";
import { fetchSetting } from "../notify/settings.ts";
import { guardedFetch, type GuardedResponse } from "../net/ssrf_fetch.ts";
import { apiError } from "../routes/api/errors.ts";
import { log } from "../server/logger.ts";
import { type OAuthFlow, pkceChallenge } from "./oauth_state.ts";
import type { ExternalIdentity } from "./external_accounts.ts";

export type OAuthIdentity = ExternalIdentity;

export interface OAuthContext {
  catalog: Catalog;
  config: Config;
  /** `<ServerAddress>/oauth/<slug>`, the console page the provider sends the browser back to. */
  redirectUri: string;
  /** Extra CA certificates (tests with a local TLS provider). */
  caCerts?: string[];
}

export interface OAuthProvider {
  slug: "github" | "discord" | "oidc" | "linuxdo";
  name: string;
  column: BindingColumn;
  /** Username prefix of sign-ups (`github_12`). */
  prefix: string;
  enabled(catalog: Catalog): boolean;
  /** Where `GET /api/oauth/:provider/start` sends the browser. */
  authorizeUrl(ctx: OAuthContext, state: string, flow: OAuthFlow): Promise<string>;
  identify(ctx: OAuthContext, code: string, flow: OAuthFlow): Promise<OAuthIdentity>;
}

const failed = (provider: string) => apiError(502, "api.oauth_provider_failed", { provider });

async function call(
  ctx: OAuthContext,
  provider: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<GuardedResponse> {
  try {
    return await guardedFetch(url, {
      setting: fetchSetting(ctx.catalog),
      method: init.method,
      headers: { accept: "application/json", "user-agent": "newapi-deno", ...init.headers },
      body: init.body,
      timeoutMs: 10_000,
      maxBytes: 1 << 20,
      caCerts: ctx.caCerts,
    });
  } catch (err) {
    log.warn("oauth provider unreachable", { provider, error: String(err) });
    throw failed(provider);
  }
}

/** The JSON answer of `url`, checked with `schema`; any other answer is the provider's failure. */
async function callJson<T>(
  ctx: OAuthContext,
  provider: string,
  url: string,
  schema: z.ZodType<T>,
  init: Parameters<typeof call>[3] = {},
): Promise<T> {
  const res = await call(ctx, provider, url, init);
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.text());
  } catch {
    parsed = undefined;
  }
  const checked = schema.safeParse(parsed);
  if (res.status !== 200 || !checked.success) {
    log.warn("oauth provider refused", { provider, status: res.status });
    throw failed(provider);
  }
  return checked.data;
}

const form = (values: Record<string, string | undefined>) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined) params.set(k, v);
  return params.toString();
};
const formHeaders = { "content-type": "application/x-www-form-urlencoded" };
const accessToken = z.object({ access_token: z.string().min(1) });
const idText = z.union([z.string(), z.number()]).transform(String);

const github: OAuthProvider = {
  slug: "github",
  name: "GitHub",
  column: "github_id",
  prefix: "github_",
  enabled: (cat) => o.bool(cat, "GitHubOAuthEnabled"),
  authorizeUrl: (ctx, state) => {
    const url = new URL("/login/oauth/authorize", ctx.config.oauthEndpoints.githubOAuthBase);
    url.search = form({ client_id: o.string(ctx.catalog, "GitHubClientId"), state, scope: "user:email" });
    return Promise.resolve(url.toString());
  },
  identify: async (ctx, code) => {
    const base = ctx.config.oauthEndpoints;
    const token = await callJson(
      ctx,
      "GitHub",
      `${base.githubOAuthBase}/login/oauth/access_token`,
      accessToken,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_id: o.string(ctx.catalog, "GitHubClientId"),
          client_secret: o.string(ctx.catalog, "GitHubClientSecret"),
          code,
        }),
      },
    );
    const user = await callJson(
      ctx,
      "GitHub",
      `${base.githubApiBase}/user`,
      z.object({
        id: z.number().int().positive(),
        login: z.string().min(1),
        name: z.string().nullish(),
        email: z.string().nullish(),
      }),
      { headers: { authorization: `Bearer ${token.access_token}` } },
    );
    return {
      providerUserId: String(user.id),
      legacyId: user.login,
      username: user.login,
      displayName: user.name ?? "",
      email: user.email ?? "",
    };
  },
};

const discord: OAuthProvider = {
  slug: "discord",
  name: "Discord",
  column: "discord_id",
  prefix: "discord_",
  enabled: (cat) => o.bool(cat, "discord.enabled"),
  authorizeUrl: (ctx, state) => {
    const url = new URL("/oauth2/authorize", ctx.config.oauthEndpoints.discordBase);
    url.search = form({
      client_id: o.string(ctx.catalog, "discord.client_id"),
      redirect_uri: ctx.redirectUri,
      response_type: "code",
      scope: "identify",
      state,
    });
    return Promise.resolve(url.toString());
  },
  identify: async (ctx, code) => {
    const base = ctx.config.oauthEndpoints.discordBase;
    const token = await callJson(ctx, "Discord", `${base}/api/v10/oauth2/token`, accessToken, {
      method: "POST",
      headers: formHeaders,
      body: form({
        client_id: o.string(ctx.catalog, "discord.client_id"),
        client_secret: o.string(ctx.catalog, "discord.client_secret"),
        code,
        grant_type: "authorization_code",
        redirect_uri: ctx.redirectUri,
      }),
    });
    const user = await callJson(
      ctx,
      "Discord",
      `${base}/api/v10/users/@me`,
      z.object({
        id: idText.pipe(z.string().min(1)),
        username: z.string().min(1),
        global_name: z.string().nullish(),
      }),
      { headers: { authorization: `Bearer ${token.access_token}` } },
    );
    return {
      providerUserId: user.id,
      username: user.username,
      displayName: user.global_name ?? "",
      email: "",
    };
  },
};

const linuxdo: OAuthProvider = {
  slug: "linuxdo",
  name: "Linux DO",
  column: "linux_do_id",
  prefix: "linuxdo_",
  enabled: (cat) => o.bool(cat, "LinuxDOOAuthEnabled"),
  authorizeUrl: (ctx, state) => {
    const url = new URL(ctx.config.oauthEndpoints.linuxDoAuthorize);
    url.search = form({
      response_type: "code",
      client_id: o.string(ctx.catalog, "LinuxDOClientId"),
      redirect_uri: ctx.redirectUri,
      state,
    });
    return Promise.resolve(url.toString());
  },
  identify: async (ctx, code) => {
    const ends = ctx.config.oauthEndpoints;
    const basic = btoa(
      `${o.string(ctx.catalog, "LinuxDOClientId")}:${o.string(ctx.catalog, "LinuxDOClientSecret")}`,
    );
    const token = await callJson(ctx, "Linux DO", ends.linuxDoToken, accessToken, {
      method: "POST",
      headers: { ...formHeaders, authorization: `Basic ${basic}` },
      body: form({ grant_type: "authorization_code", code, redirect_uri: ctx.redirectUri }),
    });
    const user = await callJson(
      ctx,
      "Linux DO",
      ends.linuxDoUser,
      z.object({
        id: z.number().int().positive(),
        username: z.string(),
        name: z.string().nullish(),
        trust_level: z.number().int(),
      }),
      { headers: { authorization: `Bearer ${token.access_token}` } },
    );
    const minimum = o.int(ctx.catalog, "LinuxDOMinimumTrustLevel");
    if (user.trust_level < minimum) {
      throw apiError(403, "api.oauth_trust_level_low", { required: minimum, current: user.trust_level });
    }
    return {
      providerUserId: String(user.id),
      username: user.username,
      displayName: user.name ?? "",
      email: "",
    };
  },
};

const discoverySchema = z.object({
  issuer: z.string().min(1),
  authorization_endpoint: z.string().optional(),
  token_endpoint: z.string().optional(),
  userinfo_endpoint: z.string().optional(),
  jwks_uri: z.string().min(1),
});
type Discovery = z.infer<typeof discoverySchema>;

const DISCOVERY_TTL_MS = 10 * 60_000;
const discoveries = new Map<string, { doc: Discovery; at: number }>();
const keySets = new Map<string, JSONWebKeySet>();

async function discover(ctx: OAuthContext): Promise<Discovery> {
  const url = o.string(ctx.catalog, "oidc.well_known");
  if (!url) throw apiError(503, "api.oidc_not_configured");
  const cached = discoveries.get(url);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.doc;
  const doc = await callJson(ctx, "OIDC", url, discoverySchema);
  discoveries.set(url, { doc, at: Date.now() });
  return doc;
}

async function keySet(ctx: OAuthContext, uri: string, fresh: boolean): Promise<JSONWebKeySet> {
  const cached = keySets.get(uri);
  if (cached && !fresh) return cached;
  const jwks = await callJson(
    ctx,
    "OIDC",
    uri,
    z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
  );
  keySets.set(uri, jwks as JSONWebKeySet);
  return jwks as JSONWebKeySet;
}

/** The id_token's claims once its signature, issuer, audience, expiry and nonce hold. */
async function verifyIdToken(ctx: OAuthContext, doc: Discovery, idToken: string, flow: OAuthFlow) {
  const options = {
    issuer: doc.issuer,
    audience: o.string(ctx.catalog, "oidc.client_id"),
    algorithms: ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"],
    clockTolerance: 30,
  };
  const attempt = async (fresh: boolean) =>
    (await jwtVerify(idToken, createLocalJWKSet(await keySet(ctx, doc.jwks_uri, fresh)), options)).payload;
  let claims;
  try {
    try {
      claims = await attempt(false);
    } catch (err) {
      // A key id we have not seen: the provider may have rotated its keys since we fetched them.
      if (!(err instanceof joseErrors.JWKSNoMatchingKey)) throw err;
      claims = await attempt(true);
    }
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) {
      log.warn("oidc id_token refused", { code: err.code });
      throw apiError(401, "api.oidc_id_token_invalid");
    }
    throw err;
  }
  if (flow.nonce !== undefined && claims.nonce !== flow.nonce) {
    throw apiError(401, "api.oidc_id_token_invalid");
  }
  return claims;
}

const oidc: OAuthProvider = {
  slug: "oidc",
  name: "OIDC",
  column: "oidc_id",
  prefix: "oidc_",
  enabled: (cat) => o.bool(cat, "oidc.enabled"),
  authorizeUrl: async (ctx, state, flow) => {
    const endpoint = o.string(ctx.catalog, "oidc.authorization_endpoint") ||
      (await discover(ctx)).authorization_endpoint;
    if (!endpoint) throw apiError(503, "api.oidc_not_configured");
    const url = new URL(endpoint);
    url.search = form({
      client_id: o.string(ctx.catalog, "oidc.client_id"),
      redirect_uri: ctx.redirectUri,
      response_type: "code",
      scope: "openid profile email",
      state,
      nonce: flow.nonce,
      code_challenge: flow.verifier ? pkceChallenge(flow.verifier) : undefined,
      code_challenge_method: flow.verifier ? "S256" : undefined,
    });
    return url.toString();
  },
  identify: async (ctx, code, flow) => {
    const doc = await discover(ctx);
    const tokenEndpoint = o.string(ctx.catalog, "oidc.token_endpoint") || doc.token_endpoint;
    const userinfoEndpoint = o.string(ctx.catalog, "oidc.user_info_endpoint") || doc.userinfo_endpoint;
    if (!tokenEndpoint || !userinfoEndpoint) throw apiError(503, "api.oidc_not_configured");
    const token = await callJson(
      ctx,
      "OIDC",
      tokenEndpoint,
      accessToken.extend({ id_token: z.string().min(1) }),
      {
        method: "POST",
        headers: formHeaders,
        body: form({
          client_id: o.string(ctx.catalog, "oidc.client_id"),
          client_secret: o.string(ctx.catalog, "oidc.client_secret"),
          code,
          grant_type: "authorization_code",
          redirect_uri: ctx.redirectUri,
          code_verifier: flow.verifier,
        }),
      },
    );
    const claims = await verifyIdToken(ctx, doc, token.id_token, flow);
    const info = await callJson(
      ctx,
      "OIDC",
      userinfoEndpoint,
      z.object({
        sub: z.string().min(1),
        email: z.string().min(1),
        email_verified: z.boolean().optional(),
        name: z.string().nullish(),
        preferred_username: z.string().nullish(),
      }),
      { headers: { authorization: `Bearer ${token.access_token}` } },
    );
    // An access token issued for someone else than the id_token's subject: token substitution.
    if (info.sub !== claims.sub) throw apiError(401, "api.oidc_id_token_invalid");
    const unverified = info.email_verified === false || claims.email_verified === false;
    return {
      providerUserId: info.sub,
      username: info.preferred_username ?? "",
      displayName: info.name ?? "",
      email: unverified ? "" : info.email,
    };
  },
};

export const oauthProviders: Record<string, OAuthProvider> = { github, discord, oidc, linuxdo };

/** Forgets cached discovery documents and key sets (tests that change providers). */
export function forgetOidcCaches(): void {
  discoveries.clear();
  keySets.clear();
}
