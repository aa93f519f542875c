/**
 * Azure OpenAI (type 3): the deployment is the model name, `api-version` comes from the channel's `other`
 * field or AZURE_DEFAULT_API_VERSION, the key goes in `api-key`. Responses use the v1 path with the
 * channel setting `azure_responses_version` (default "preview"), as New API does. Realtime sessions go to
 * `/openai/realtime` over a WebSocket.
 */
import { OPENAI_ENDPOINTS, openAiPath, type ProviderSpec, RESPONSES_NATIVE, webSocketUrl } from "../spec.ts";

export const azureProvider: ProviderSpec = {
  name: "azure",
  types: [3],
  defaultBaseUrl: "",
  dialects: ["openai_chat", "openai_responses"],
  passthrough: new Set([...OPENAI_ENDPOINTS, ...RESPONSES_NATIVE, "realtime"]),
  streamOptions: true,
  url(t) {
    if (t.endpoint === "responses" || t.endpoint === "responses_compact") {
      const v = typeof t.settings.azure_responses_version === "string" && t.settings.azure_responses_version
        ? t.settings.azure_responses_version
        : "preview";
      return `${t.baseUrl}/openai/v1${openAiPath(t.endpoint)}?api-version=${encodeURIComponent(v)}`;
    }
    const version = t.other.trim() || t.env.azureApiVersion;
    return `${t.baseUrl}/openai/deployments/${encodeURIComponent(t.model)}${openAiPath(t.endpoint)}` +
      `?api-version=${encodeURIComponent(version)}`;
  },
  // New API's rule: `/openai/realtime?api-version=&deployment=` on the channel's host.
  realtimeUrl(t) {
    const version = t.other.trim() || t.env.azureApiVersion;
    return `${webSocketUrl(t.baseUrl)}/openai/realtime?api-version=${encodeURIComponent(version)}` +
      `&deployment=${encodeURIComponent(t.model)}`;
  },
  headers: (_t, key) => ({ "api-key": key }),
};
