/**
 * Another New API (or this gateway) as the upstream (type 60), and Sub2API (59, whose adaptor in New API
 * is the same): every dialect goes through as it is, to
 * the path it was asked on — OpenAI's endpoints (Responses natively) with a bearer key, Claude's Messages
 * (and token counts) with `x-api-key` and `anthropic-version`, Gemini's methods with `x-goog-api-key` —
 * as New API's `newapi` adaptor does.
 */
import type { EndpointName } from "../../endpoints.ts";
import { OPENAI_ENDPOINTS, type ProviderSpec, RESPONSES_NATIVE } from "../spec.ts";
import { anthropicProvider } from "../anthropic/index.ts";
import { geminiProvider } from "../gemini/index.ts";
import { bearerHeaders, openAiProvider } from "../openai/index.ts";

const NATIVE: EndpointName[] = [
  "claude_count_tokens",
  "gemini_count_tokens",
  "gemini_embed",
  "gemini_batch_embed",
];

export const newApiProvider: ProviderSpec = {
  name: "newapi",
  types: [59, 60],
  defaultBaseUrl: "",
  dialects: ["openai_chat", "openai_responses", "claude", "gemini"],
  passthrough: new Set<EndpointName>([...OPENAI_ENDPOINTS, ...RESPONSES_NATIVE, "alpha_search", ...NATIVE]),
  streamOptions: true,
  url(t) {
    if (t.dialect === "claude" || t.endpoint === "claude_count_tokens") return anthropicProvider.url(t);
    if (t.dialect === "gemini" || t.endpoint.startsWith("gemini_")) return geminiProvider.url(t);
    return openAiProvider.url(t);
  },
  headers(t, key, client) {
    const h = bearerHeaders(t, key);
    if (t.dialect === "claude" || t.endpoint === "claude_count_tokens") {
      return { ...h, ...anthropicProvider.headers(t, key, client) };
    }
    if (t.dialect === "gemini" || t.endpoint.startsWith("gemini_")) h["x-goog-api-key"] = key;
    return h;
  },
  prepareBody(body, t) {
    if (t.dialect === "gemini" || t.endpoint.startsWith("gemini_")) geminiProvider.prepareBody!(body, t);
  },
};
