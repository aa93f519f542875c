/**
 * What the relay needs to know about one kind of upstream (a channel type): which wire dialects it speaks,
 * which OpenAI endpoints it serves, where each request goes, how it authenticates, and its quirks.
 * One folder per provider under `relay/providers/`; `registry.ts` maps channel types to specs.
 */
import type { Dialect } from "../formats/ir.ts";
import type { EndpointName } from "../endpoints.ts";

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
  env: { azureApiVersion: string; geminiSafety: string };
}

export interface ProviderSpec {
  /** Short name, also the `owned_by` of listed models. */
  name: string;
  /** New API channel type ids served by this spec. */
  types: readonly number[];
  defaultBaseUrl: string;
  /** Chat-family dialects spoken natively, preferred first; others are translated to the first. */
  dialects: readonly Dialect[];
  /** OpenAI endpoints (other than chat/responses) passed through as they are. */
  passthrough: ReadonlySet<EndpointName>;
  /** Accepts `stream_options` (New API's allow-list); when false the field is dropped. */
  streamOptions: boolean;
  url(t: UpstreamTarget): string;
  /** Auth and fixed headers; `clientHeaders` lets a provider forward e.g. `anthropic-beta`. */
  headers(t: UpstreamTarget, key: string, clientHeaders: Headers): Record<string, string>;
  /** Last edits to a JSON body this provider needs (Gemini safety settings...). */
  prepareBody?(body: Record<string, unknown>, t: UpstreamTarget): void;
}

/** The path of an OpenAI-style endpoint under the API root (`/v1` or a provider's own prefix). */
export const OPENAI_PATHS: Record<EndpointName, string> = {
  chat_completions: "/chat/completions",
  completions: "/completions",
  embeddings: "/embeddings",
  moderations: "/moderations",
  images_generations: "/images/generations",
  images_edits: "/images/edits",
  audio_speech: "/audio/speech",
  audio_transcriptions: "/audio/transcriptions",
  audio_translations: "/audio/translations",
  rerank: "/rerank",
  responses: "/responses",
};

/** The OpenAI endpoint a chat-family dialect is sent to. */
export function chatEndpointFor(dialect: Dialect, fallback: EndpointName): EndpointName {
  if (dialect === "openai_chat") return "chat_completions";
  if (dialect === "openai_responses") return "responses";
  return fallback;
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
