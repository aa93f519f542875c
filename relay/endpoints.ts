/**
 * The relay's endpoints: each route fixes the ingress dialect (how the body is read and errors are
 * written) and whether the request goes through the codecs (chat family: IR, translation to any channel)
 * or is passed through to channels that serve the endpoint as it is. Claude's and Gemini's native routes
 * are entries too: `/v1/messages` is `dialect: "claude", chat: true`; Gemini's `:generateContent` family is
 * chosen by the action after the `:` in `/v1beta/models/{model}:{action}` (`gemini` lists the actions).
 */
import type { Dialect } from "./formats/ir.ts";

/** Endpoints OpenAI-compatible channels serve under their API root (see providers/spec.ts OPENAI_PATHS). */
export type OpenAiEndpointName =
  | "chat_completions"
  | "completions"
  | "embeddings"
  | "moderations"
  | "images_generations"
  | "images_edits"
  | "images_variations"
  | "audio_speech"
  | "audio_transcriptions"
  | "audio_translations"
  | "rerank"
  | "responses"
  | "responses_compact"
  | "alpha_search"
  | "edits";

export type NativeEndpointName =
  | "claude_messages"
  | "claude_count_tokens"
  | "gemini_generate"
  | "gemini_count_tokens"
  | "gemini_embed"
  | "gemini_batch_embed"
  | "gemini_predict"
  | "realtime";

export type EndpointName = OpenAiEndpointName | NativeEndpointName;

export interface Endpoint {
  name: EndpointName;
  /** Route path on the gateway (Gemini's: the action is matched by `routes_native.ts`). */
  path: string;
  /** Ingress dialect: the codec for chat-family endpoints, the error shape for all. */
  dialect: Dialect;
  /** Goes through the codecs (decode, translate, encode); otherwise passed through. */
  chat: boolean;
  body: "json" | "multipart";
  /** New API's model when the request names none. */
  defaultModel?: string;
  /** How the prompt is estimated before the call. */
  prompt:
    | "chat"
    | "prompt"
    | "input"
    | "rerank"
    | "speech"
    | "audio"
    | "image"
    | "contents"
    | "responses_input"
    | "none";
  /** Gemini actions (`models/{model}:{action}`) served by this entry. */
  gemini?: readonly string[];
  /** Counted, not generated: any channel answers (natively, else counted here); never billed. */
  countOnly?: boolean;
  /**
   * The endpoint this one is translated to on a channel that does not serve it natively: a Gemini method
   * for OpenAI embeddings and images (Gemini channels), OpenAI embeddings for Gemini's embed methods.
   */
  via?: EndpointName;
  /**
   * Served through the chat codecs on a channel that does not pass it through (legacy Completions on
   * Claude, Gemini and wire channels: `formats/openai_completions`).
   */
  chatBridge?: boolean;
}

const openai = (
  name: EndpointName,
  path: string,
  rest: Partial<Endpoint> & Pick<Endpoint, "prompt">,
): Endpoint => ({ name, path, dialect: "openai_chat", chat: false, body: "json", ...rest });

const gemini = (name: EndpointName, actions: string[], rest: Partial<Endpoint> = {}): Endpoint => ({
  name,
  path: `/v1beta/models/{model}:${actions[0]}`,
  dialect: "gemini",
  chat: false,
  body: "json",
  prompt: "chat",
  gemini: actions,
  ...rest,
});

export const ENDPOINTS: readonly Endpoint[] = [
  openai("chat_completions", "/v1/chat/completions", { chat: true, prompt: "chat" }),
  openai("responses", "/v1/responses", { chat: true, dialect: "openai_responses", prompt: "chat" }),
  // Codex's context compaction: billed as `{model}-openai-compact`, served where Responses are native.
  openai("responses_compact", "/v1/responses/compact", {
    dialect: "openai_responses",
    prompt: "responses_input",
  }),
  // Codex's standalone web search: no usage upstream, billed as one web_search_preview call.
  openai("alpha_search", "/v1/alpha/search", { prompt: "none" }),
  openai("completions", "/v1/completions", { prompt: "prompt", chatBridge: true }),
  // The legacy edits API (New API's RelayModeEdits): passed through where a channel still serves it.
  openai("edits", "/v1/edits", { prompt: "input" }),
  openai("embeddings", "/v1/embeddings", { prompt: "input", via: "gemini_batch_embed" }),
  openai("moderations", "/v1/moderations", { prompt: "input", defaultModel: "text-moderation-stable" }),
  openai("images_generations", "/v1/images/generations", {
    prompt: "image",
    defaultModel: "dall-e",
    via: "gemini_predict",
  }),
  openai("images_edits", "/v1/images/edits", { prompt: "image", body: "multipart", defaultModel: "dall-e" }),
  // New API answers 501 here; channels that serve OpenAI's variations get them, billed as generations.
  openai("images_variations", "/v1/images/variations", {
    prompt: "image",
    body: "multipart",
    defaultModel: "dall-e-2",
  }),
  openai("audio_speech", "/v1/audio/speech", { prompt: "speech", defaultModel: "tts-1" }),
  openai("audio_transcriptions", "/v1/audio/transcriptions", {
    prompt: "audio",
    body: "multipart",
    defaultModel: "whisper-1",
  }),
  openai("audio_translations", "/v1/audio/translations", {
    prompt: "audio",
    body: "multipart",
    defaultModel: "whisper-1",
  }),
  openai("rerank", "/v1/rerank", { prompt: "rerank" }),
  openai("claude_messages", "/v1/messages", { chat: true, dialect: "claude", prompt: "chat" }),
  openai("claude_count_tokens", "/v1/messages/count_tokens", {
    dialect: "claude",
    prompt: "chat",
    countOnly: true,
  }),
  gemini("gemini_generate", ["generateContent", "streamGenerateContent"], { chat: true }),
  gemini("gemini_count_tokens", ["countTokens"], { countOnly: true }),
  gemini("gemini_embed", ["embedContent"], { prompt: "contents", via: "embeddings" }),
  gemini("gemini_batch_embed", ["batchEmbedContents"], { prompt: "contents", via: "embeddings" }),
];

export function endpoint(name: EndpointName): Endpoint {
  return ENDPOINTS.find((e) => e.name === name)!;
}

/** The Gemini entry serving `action`, or undefined. */
export function geminiEndpoint(action: string): Endpoint | undefined {
  return ENDPOINTS.find((e) => e.gemini?.includes(action));
}
