/**
 * What the relay needs to know about one kind of upstream (a channel type): which wire dialects it speaks,
 * which OpenAI endpoints it serves, where each request goes, how it authenticates, and its quirks.
 * One folder per provider under `relay/providers/`; `registry.ts` maps channel types to specs.
 */
import type { Dialect } from "../formats/ir.ts";
import type { WireCodec } from "../formats/wire.ts";
import type { Endpoint, EndpointName, OpenAiEndpointName } from "../endpoints.ts";
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from "../http/upstream_client.ts";
import type { ImageAdapter } from "./image_adapter.ts";

/** Everything a URL or header builder may look at for one upstream call. */
export interface UpstreamTarget {
  /** The channel's base URL (its own, or the provider default), without a trailing slash. */
  baseUrl: string;
  endpoint: EndpointName;
  /** The dialect the body is written in (for chat-family endpoints). */
  dialect: Dialect;
  /** The model name sent upstream (after mapping and suffixes). */
  model: string;
  stream: boolean;
  /** The channel's `other` column (Azure api-version, Cloudflare account id, Gemini version...). */
  other: string;
  /** Parsed channel `settings` JSON (New API's "other settings"). */
  settings: Record<string, unknown>;
  openaiOrganization: string;
  /** Deployment-level defaults (AZURE_DEFAULT_API_VERSION, GEMINI_SAFETY_SETTING). */
  env: ProviderEnv;
}

export interface ProviderEnv {
  azureApiVersion: string;
  geminiSafety: string;
  /** COHERE_SAFETY_SETTING ("NONE": no `safety_mode` sent). */
  cohereSafety?: string;
  /** DIFY_DEBUG: Dify's workflow/node events as reasoning lines (default on, as New API). */
  difyDebug?: boolean;
  /** GEMINI_VISION_MAX_IMAGE_NUM: images a request translated to Gemini may carry (-1: any). */
  geminiVisionMaxImages?: number;
}

/** The deployment-level defaults every provider target carries, from the config. */
export function providerEnv(
  config: {
    azureDefaultApiVersion: string;
    geminiSafetySetting: string;
    cohereSafetySetting?: string;
    difyDebug?: boolean;
    geminiVisionMaxImageNum?: number;
  },
): ProviderEnv {
  return {
    azureApiVersion: config.azureDefaultApiVersion,
    geminiSafety: config.geminiSafetySetting,
    cohereSafety: config.cohereSafetySetting,
    difyDebug: config.difyDebug,
    geminiVisionMaxImages: config.geminiVisionMaxImageNum,
  };
}

export interface ProviderSpec {
  /** Short name, also the `owned_by` of listed models. */
  name: string;
  /** New API channel type ids served by this spec. */
  types: readonly number[];
  defaultBaseUrl: string;
  /** Chat-family dialects spoken natively, preferred first; others are translated to the first. */
  dialects: readonly Dialect[];
  /** The dialects for one (mapped) model, when they depend on it (Vertex: Claude, Gemini or OpenAI). */
  dialectsFor?(model: string): readonly Dialect[];
  /** Endpoints (other than the chat family) passed through as they are: OpenAI's, or native ones. */
  passthrough: ReadonlySet<EndpointName>;
  /** Accepts `stream_options` (New API's allow-list); when false the field is dropped. */
  streamOptions: boolean;
  url(t: UpstreamTarget): string;
  /** Auth and fixed headers; `clientHeaders` lets a provider forward e.g. `anthropic-beta`. */
  headers(t: UpstreamTarget, key: string, clientHeaders: Headers): Record<string, string>;
  /** The realtime WebSocket URL (`ws:`/`wss:`), for providers that serve `/v1/realtime`. */
  realtimeUrl?(t: UpstreamTarget): string;
  /** Last edits to a JSON body this provider needs (Gemini safety settings...). */
  prepareBody?(body: Record<string, unknown>, t: UpstreamTarget): void;
  /**
   * A wire format that is none of the four dialects (Bedrock Converse, Cohere v2): chat-family requests
   * are always translated through the IR to it, and its answers and streams back.
   */
  wire?: WireCodec;
  /** The wire for one deployment's settings, when they change how answers read (Dify's DIFY_DEBUG). */
  wireFor?(env: ProviderEnv): WireCodec;
  /**
   * Auth that needs the finished request (AWS SigV4 signs URL, headers and body) or a round trip (Vertex's
   * OAuth token): headers added last, after the header override, and the URL when the key decides it
   * (Bedrock's region). Throws ChannelError for a bad key.
   */
  sign?(req: SignRequest): Promise<{ headers: Record<string, string>; url?: string; body?: string }>;
  /**
   * An upstream that is not HTTP (Xunfei Spark's WebSocket): sends the finished request itself and answers
   * as an HTTP call would, through `http`'s sockets (so the channel's proxy applies, `req.proxy`).
   */
  send?(req: UpstreamRequest, http: UpstreamClient): Promise<UpstreamResponse>;
  /** OpenAI image generations on the provider's own image API (`pipeline/image_task.ts` runs it). */
  images?: ImageAdapter;
  /** A provider that serves nothing but these endpoints (Jimeng and Replicate: images only). */
  servesOnly?: ReadonlySet<EndpointName>;
  /** The upstream's model list when it is not OpenAI's or Anthropic's `{data: [{id}]}` (fetch_models). */
  models?: { url(t: UpstreamTarget): string; ids(body: unknown): string[] };
}

/** The finished upstream request handed to `ProviderSpec.sign`. */
export interface SignRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | string;
  key: string;
  target: UpstreamTarget;
  /** The relay's upstream client, for token endpoints (absent in pure unit calls). */
  http?: UpstreamClient;
  proxy?: string;
}

/** One upstream call for a channel of `p`: its own `send` when it has one, else the HTTP client. */
export function sendUpstream(
  p: ProviderSpec,
  http: UpstreamClient,
  req: UpstreamRequest,
): Promise<UpstreamResponse> {
  return p.send ? p.send(req, http) : http.request(req);
}

/** The path of an OpenAI-style endpoint under the API root (`/v1` or a provider's own prefix). */
export const OPENAI_PATHS: Record<OpenAiEndpointName, string> = {
  chat_completions: "/chat/completions",
  completions: "/completions",
  embeddings: "/embeddings",
  moderations: "/moderations",
  images_generations: "/images/generations",
  images_edits: "/images/edits",
  images_variations: "/images/variations",
  audio_speech: "/audio/speech",
  audio_transcriptions: "/audio/transcriptions",
  audio_translations: "/audio/translations",
  rerank: "/rerank",
  responses: "/responses",
  responses_compact: "/responses/compact",
  alpha_search: "/alpha/search",
  edits: "/edits",
};

/**
 * New API's own endpoints beyond the classic list: compaction goes only where Responses are native
 * (`RESPONSES_NATIVE`), alpha search only to New API/Sub2API upstreams (its AlphaSearchHelper's rule).
 */
const NOT_CLASSIC: ReadonlySet<string> = new Set(["responses_compact", "alpha_search"]);

/** The OpenAI endpoints, for providers that pass all of them through. */
export const OPENAI_ENDPOINTS = (Object.keys(OPENAI_PATHS) as OpenAiEndpointName[]).filter((e) =>
  !NOT_CLASSIC.has(e)
);

/** What a provider speaking the Responses API natively serves besides it. */
export const RESPONSES_NATIVE: readonly OpenAiEndpointName[] = ["responses_compact"];

/** The path of an OpenAI endpoint (a native one never reaches an OpenAI-style URL builder). */
export function openAiPath(name: EndpointName): string {
  const path = (OPENAI_PATHS as Partial<Record<EndpointName, string>>)[name];
  if (path === undefined) throw new Error(`${name} has no OpenAI path`);
  return path;
}

/** The endpoint a chat-family request is sent to in the channel's dialect. */
export function chatEndpointFor(dialect: Dialect): EndpointName {
  switch (dialect) {
    case "openai_chat":
      return "chat_completions";
    case "openai_responses":
      return "responses";
    case "claude":
      return "claude_messages";
    case "gemini":
      return "gemini_generate";
  }
}

/** `http(s)://` → `ws(s)://` (a base URL already in WebSocket form is kept). */
export function webSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):\/\//i, "ws$1://");
}

export function parseJsonObject(text: string): Record<string, unknown> {
  if (!text || !text.trim()) return {};
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/**
 * Whether channels of this provider can serve `ep`: the chat family, legacy Completions and token counts
 * always (by translation, or counted by the gateway); other endpoints when passed through natively, or through the
 * OpenAI endpoint they translate to (`via`), image generations on a provider's own image API (`images`).
 */
export function servesEndpoint(p: ProviderSpec, ep: Endpoint): boolean {
  if (p.servesOnly) return p.servesOnly.has(ep.name);
  if (ep.name === "images_generations" && p.images) return true;
  if (ep.chat || ep.countOnly || ep.chatBridge || p.passthrough.has(ep.name)) return true;
  return ep.via !== undefined && p.passthrough.has(ep.via);
}
