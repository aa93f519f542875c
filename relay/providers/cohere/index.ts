/**
 * Cohere (type 34). Rerank goes to its native `/v1/rerank` with New API's edits (`top_n` 1 when unset,
 * documents returned), the answer rewritten to the served shape by `formats/rerank.ts`. Chat goes to
 * Cohere's OpenAI-compatible API (`/compatibility/v1/chat/completions`), so the IR's OpenAI encoding serves
 * it; New API's native-chat adaptor (and its COHERE_SAFETY_SETTING) is not reproduced.
 */
import { bearerHeaders } from "../openai/index.ts";
import type { ProviderSpec } from "../spec.ts";

export const cohereProvider: ProviderSpec = {
  name: "cohere",
  types: [34],
  defaultBaseUrl: "https://api.cohere.ai",
  dialects: ["openai_chat"],
  passthrough: new Set(["rerank"]),
  streamOptions: false,
  url: (t) =>
    t.endpoint === "rerank" ? `${t.baseUrl}/v1/rerank` : `${t.baseUrl}/compatibility/v1/chat/completions`,
  headers: (t, key) => bearerHeaders(t, key),
  prepareBody(body, t) {
    if (t.endpoint !== "rerank") return;
    if (!(typeof body.top_n === "number" && body.top_n > 0)) body.top_n = 1;
    body.return_documents = true;
  },
};
