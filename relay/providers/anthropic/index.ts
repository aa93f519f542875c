/**
 * Anthropic (type 14): Messages at `/v1/messages` (with `?beta=true` when the channel's
 * `claude_beta_query` setting is on) and token counting at `/v1/messages/count_tokens`, `x-api-key`,
 * `anthropic-version` (the client's, else 2023-06-01) and the client's `anthropic-beta` passed on.
 * Clients of other dialects reach it through translation.
 */
import type { ProviderSpec } from "../spec.ts";

export const anthropicProvider: ProviderSpec = {
  name: "anthropic",
  types: [14],
  defaultBaseUrl: "https://api.anthropic.com",
  dialects: ["claude"],
  passthrough: new Set(["claude_count_tokens"]),
  streamOptions: false,
  url(t) {
    const beta = t.settings.claude_beta_query === true ? "?beta=true" : "";
    return `${t.baseUrl}/v1/messages${t.endpoint === "claude_count_tokens" ? "/count_tokens" : ""}${beta}`;
  },
  headers(_t, key, client) {
    const h: Record<string, string> = {
      "x-api-key": key,
      "anthropic-version": client.get("anthropic-version") || "2023-06-01",
    };
    const beta = client.get("anthropic-beta");
    if (beta) h["anthropic-beta"] = beta;
    return h;
  },
};
