/**
 * `GET /api/channel/fetch_models/:id` (admins, New API's route): the models the channel's upstream lists,
 * asked with the channel's own key, base URL, proxy and headers. Served for upstreams with an OpenAI- or
 * Anthropic-style model list (`{data: [{id}]}` next to the chat endpoint) or their own (`ProviderSpec.models`,
 * e.g. Cohere's); others get a clear refusal.
 */
import { Hono } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import { type AuthEnv, requireAdmin } from "../../auth/middleware.ts";
import { channelConfig, pickKey } from "../../relay/pipeline/channel_config.ts";
import { providerEnv, type UpstreamTarget } from "../../relay/providers/spec.ts";
import { apiError, badRequest, notFound } from "./errors.ts";
import { idParam } from "./input.ts";
import { ok } from "./respond.ts";

/** The model list URL beside a chat URL (`…/v1/chat/completions` → `…/v1/models`), if there is one. */
export function modelsUrl(chatUrl: string): string | undefined {
  const url = new URL(chatUrl);
  const m = /\/(chat\/completions|messages)$/.exec(url.pathname);
  if (!m) return undefined;
  url.pathname = url.pathname.slice(0, -m[0].length) + "/models";
  url.search = "";
  return url.href;
}

export function channelModelRoutes(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/api/channel/fetch_models/:id{[0-9]+}", requireAdmin(deps), async (c) => {
    const channel = deps.catalog.channel(idParam(c, "api.channel_not_found"));
    if (!channel) throw notFound("api.channel_not_found");
    const config = channelConfig(channel);
    const key = pickKey(channel)?.key;
    if (!config || !key) throw badRequest("api.channel_fetch_models_unsupported");
    const dialect = config.provider.dialects[0];
    const target: UpstreamTarget = {
      baseUrl: config.baseUrl,
      endpoint: dialect === "openai_chat" ? "chat_completions" : "responses",
      dialect,
      model: "",
      stream: false,
      other: channel.other,
      settings: config.settings,
      openaiOrganization: channel.openaiOrganization,
      env: providerEnv(deps.config),
    };
    const listing = config.provider.models;
    const url = listing
      ? listing.url(target)
      : dialect === "openai_chat" || dialect === "claude"
      ? modelsUrl(config.provider.url(target))
      : undefined;
    if (!url) throw badRequest("api.channel_fetch_models_unsupported");
    let ids: string[];
    try {
      const res = await deps.upstream.request({
        method: "GET",
        url,
        headers: { ...config.provider.headers(target, key, new Headers()), ...config.headerOverride },
        proxy: config.proxy,
        totalTimeoutMs: 20_000,
      });
      if (!res.ok) throw new Error(`status ${res.status}`);
      const body = JSON.parse(new TextDecoder().decode(await res.bytes(4 * 1024 * 1024)));
      ids = (listing ? listing.ids(body) : (Array.isArray(body?.data) ? body.data : [])
        .map((m: { id?: unknown }) => m?.id))
        .filter((id: unknown): id is string => typeof id === "string" && id.length > 0 && id.length <= 255);
    } catch {
      // The upstream's own words stay out: they may echo the key.
      throw apiError(502, "api.channel_fetch_models_failed");
    }
    return ok(c, [...new Set(ids)].sort());
  });

  return app;
}
