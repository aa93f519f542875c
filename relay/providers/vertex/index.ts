/**
 * Google Vertex AI (type 41), as New API's Vertex channel: Gemini models at
 * `…/publishers/google/models/{model}:generateContent` (`:streamGenerateContent?alt=sse`), Claude models at
 * `…/publishers/anthropic/models/{model}:rawPredict` (`:streamRawPredict?alt=sse`; the Messages body without
 * `model`, with `anthropic_version: vertex-2023-10-16`; New API's dated names become Vertex's
 * `claude-sonnet-4-5@20250929`), and open models (`llama…`, `…-maas`) on the OpenAI-compatible
 * `v1beta1/…/endpoints/openapi/chat/completions`.
 *
 * The key is a service-account JSON key (exchanged for a cached OAuth token, `token.ts`; the path names its
 * `project_id`, `x-goog-user-project` too), or an API key when the channel's settings say
 * `vertex_key_type: "api_key"` (sent in `x-goog-api-key`, paths without a project). The region is the
 * channel's `other` field: a region, or a JSON object of model → region with a `default`; none is
 * `global`. The host is `{region}-aiplatform.googleapis.com` (`aiplatform.googleapis.com` for global)
 * unless the channel sets a base URL.
 */
import type { Dialect } from "../../formats/ir.ts";
import type { ProviderSpec, UpstreamTarget } from "../spec.ts";
import { geminiProvider } from "../gemini/index.ts";
import { accessToken, parseServiceAccount } from "./token.ts";

const PLACEHOLDER = "https://aiplatform.googleapis.com";
const ANTHROPIC_VERSION = "vertex-2023-10-16";

/** The region for a model from the channel's `other` (New API's rule). */
export function vertexRegion(other: string, model: string): string {
  const text = other.trim();
  if (text.startsWith("{")) {
    try {
      const m = JSON.parse(text);
      for (const k of [model, "default"]) {
        if (typeof m?.[k] === "string" && m[k].trim()) return m[k].trim();
      }
    } catch { /* not JSON: global */ }
    return "global";
  }
  return text || "global";
}

/** New API's dated Claude names as Vertex spells them (`claude-opus-4-1-20250805` → `claude-opus-4-1@20250805`). */
export function vertexClaudeModel(model: string): string {
  if (model === "claude-3-5-sonnet-20241022") return "claude-3-5-sonnet-v2@20241022";
  return model.replace(/^(claude-.+)-(\d{8})$/, "$1@$2");
}

function family(model: string): Dialect {
  if (model.startsWith("claude")) return "claude";
  if (model.includes("llama") || model.includes("-maas")) return "openai_chat";
  return "gemini";
}

const apiKeyType = (t: UpstreamTarget) => t.settings.vertex_key_type === "api_key";

/** The host of a region: `{region}-aiplatform.googleapis.com` (bare for global), or the channel's base URL. */
export function vertexHost(baseUrl: string, region: string): string {
  return baseUrl && baseUrl !== PLACEHOLDER
    ? baseUrl
    : region === "global"
    ? PLACEHOLDER
    : `https://${region}-aiplatform.googleapis.com`;
}

function root(t: UpstreamTarget, version: string): string {
  const region = vertexRegion(t.other, t.model);
  const host = vertexHost(t.baseUrl, region);
  return apiKeyType(t) ? `${host}/${version}` : `${host}/${version}/projects/{project}/locations/${region}`;
}

export const vertexProvider: ProviderSpec = {
  name: "vertex",
  types: [41],
  defaultBaseUrl: PLACEHOLDER,
  dialects: ["gemini", "claude", "openai_chat"],
  dialectsFor: (model) => [family(model)],
  passthrough: new Set(),
  streamOptions: true,
  url(t) {
    if (t.dialect === "claude") {
      const action = t.stream ? "streamRawPredict?alt=sse" : "rawPredict";
      return `${root(t, "v1")}/publishers/anthropic/models/${vertexClaudeModel(t.model)}:${action}`;
    }
    if (t.dialect === "openai_chat") return `${root(t, "v1beta1")}/endpoints/openapi/chat/completions`;
    const action = t.stream ? "streamGenerateContent?alt=sse" : "generateContent";
    return `${root(t, "v1")}/publishers/google/models/${encodeURIComponent(t.model)}:${action}`;
  },
  headers(t, _key, client): Record<string, string> {
    const beta = t.dialect === "claude" ? client.get("anthropic-beta") : null;
    return beta ? { "anthropic-beta": beta } : {};
  },
  prepareBody(body, t) {
    if (t.dialect === "claude") {
      delete body.model;
      body.anthropic_version = ANTHROPIC_VERSION;
    } else if (t.dialect === "gemini") geminiProvider.prepareBody!(body, t);
  },
  async sign(req) {
    const headers: Record<string, string> = {};
    if (apiKeyType(req.target)) {
      headers["x-goog-api-key"] = req.key;
      return { headers };
    }
    const sa = parseServiceAccount(req.key);
    const token = await accessToken(sa, req.http, req.proxy);
    headers.authorization = `Bearer ${token}`;
    headers["x-goog-user-project"] = sa.project_id;
    return { url: req.url.replace("{project}", encodeURIComponent(sa.project_id)), headers };
  },
};
