/**
 * Custom (type 8): the base URL is the full request URL, with `{model}` replaced by the model name; the
 * body is OpenAI's. Every endpoint goes to that one URL (New API's rule).
 */
import { OPENAI_ENDPOINTS, type ProviderSpec } from "../spec.ts";
import { bearerHeaders } from "../openai/index.ts";

export const customProvider: ProviderSpec = {
  name: "custom",
  types: [8],
  defaultBaseUrl: "",
  dialects: ["openai_chat"],
  passthrough: new Set(OPENAI_ENDPOINTS),
  streamOptions: false,
  url: (t) => t.baseUrl.replaceAll("{model}", encodeURIComponent(t.model)),
  headers: bearerHeaders,
};
