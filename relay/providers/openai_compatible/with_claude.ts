/**
 * Providers that serve OpenAI's chat API and, beside it, an Anthropic-compatible Messages endpoint (New
 * API sends its Claude-format clients there natively): Ali DashScope (type 17: `compatible-mode/v1`, and
 * `/api/v2/apps/claude-code-proxy/v1/messages`) and MiniMax (type 35: `/v1/text/chatcompletion_v2`, and
 * `/anthropic/v1/messages`). Claude clients reach the Messages endpoint as they are; every other dialect
 * is translated to OpenAI chat. The key is a bearer token on both (and `x-api-key` on Messages).
 */
import type { EndpointName } from "../../endpoints.ts";
import { openAiPath, type ProviderSpec, type UpstreamTarget } from "../spec.ts";
import { bearerHeaders } from "../openai/index.ts";
import { dashScopeImages } from "../ali/images.ts";

export interface OpenAiAndClaudeData {
  name: string;
  types: readonly number[];
  defaultBaseUrl: string;
  /** The Messages endpoint under the base URL. */
  claudePath: string;
  /** The OpenAI endpoint's URL. */
  openAiUrl(t: UpstreamTarget, path: string): string;
  passthrough: readonly EndpointName[];
  streamOptions: boolean;
  /** Extra headers on the OpenAI side. */
  openAiHeaders?(t: UpstreamTarget): Record<string, string>;
}

export function openAiAndClaude(d: OpenAiAndClaudeData): ProviderSpec {
  return {
    name: d.name,
    types: d.types,
    defaultBaseUrl: d.defaultBaseUrl,
    dialects: ["openai_chat", "claude"],
    passthrough: new Set(d.passthrough),
    streamOptions: d.streamOptions,
    url: (
      t,
    ) => (t.dialect === "claude" ? `${t.baseUrl}${d.claudePath}` : d.openAiUrl(t, openAiPath(t.endpoint))),
    headers(t, key, client) {
      const h = bearerHeaders(t, key);
      if (t.dialect === "claude") {
        h["x-api-key"] = key;
        h["anthropic-version"] = client.get("anthropic-version") || "2023-06-01";
        const beta = client.get("anthropic-beta");
        if (beta) h["anthropic-beta"] = beta;
        return h;
      }
      return { ...h, ...(d.openAiHeaders?.(t) ?? {}) };
    },
  };
}

export const aliProvider: ProviderSpec = {
  ...openAiAndClaude({
    name: "ali",
    types: [17],
    defaultBaseUrl: "https://dashscope.aliyuncs.com",
    claudePath: "/api/v2/apps/claude-code-proxy/v1/messages",
    openAiUrl: (t, path) => `${t.baseUrl}/compatible-mode/v1${path}`,
    passthrough: ["completions", "embeddings"],
    streamOptions: true,
    openAiHeaders: (t): Record<string, string> => (t.stream ? { "x-dashscope-sse": "enable" } : {}),
  }),
  images: dashScopeImages,
};

export const minimaxProvider: ProviderSpec = openAiAndClaude({
  name: "minimax",
  types: [35],
  defaultBaseUrl: "https://api.minimax.chat",
  claudePath: "/anthropic/v1/messages",
  // New API sends chat to MiniMax's own v2 path (OpenAI's format).
  openAiUrl: (t) => `${t.baseUrl}/v1/text/chatcompletion_v2`,
  passthrough: [],
  streamOptions: true,
});
