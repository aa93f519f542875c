/**
 * Cohere (type 34): chat through the v2 Chat API (`POST {base}/v2/chat`, SSE streams with named events;
 * `chat.ts` is the wire codec), rerank passed through to `/v2/rerank` (the same `{model, query, documents,
 * top_n}` body the gateway's rerank endpoint takes), the key as a bearer token. The model list is
 * `GET /v1/models?endpoint=chat` (`{models: [{name}]}`). New API's Cohere channel speaks the older v1 chat;
 * v2 is the one Cohere documents now, with tool calls, images and usage incl. cached tokens.
 */
import type { ProviderSpec } from "../spec.ts";
import { cohereWire } from "./chat.ts";

export const cohereProvider: ProviderSpec = {
  name: "cohere",
  types: [34],
  defaultBaseUrl: "https://api.cohere.com",
  dialects: ["openai_chat"],
  passthrough: new Set(["rerank"]),
  streamOptions: false,
  wire: cohereWire,
  url: (t) => `${t.baseUrl}/v2/${t.endpoint === "rerank" ? "rerank" : "chat"}`,
  headers: (_t, key) => ({ authorization: `Bearer ${key}` }),
  // COHERE_SAFETY_SETTING (NONE/CONTEXTUAL/STRICT/OFF): New API sets `safety_mode` on every chat unless NONE.
  prepareBody(body, t) {
    const mode = t.env.cohereSafety?.trim();
    if (t.endpoint !== "rerank" && mode && mode.toUpperCase() !== "NONE") body.safety_mode = mode;
  },
  models: {
    url: (t) => `${t.baseUrl}/v1/models?endpoint=chat&page_size=1000`,
    ids: (body) => {
      const list = (body as { models?: unknown })?.models;
      return (Array.isArray(list) ? list : []).map((m) => m?.name).filter((n): n is string =>
        typeof n === "string"
      );
    },
  },
};
