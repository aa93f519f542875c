/**
 * The relay's endpoints: each route fixes the ingress dialect (how the body is read and errors are
 * written) and whether the request goes through the codecs (chat family: IR, translation to any channel)
 * or is passed through to OpenAI-compatible channels as it is. A native Claude or Gemini route is one
 * more entry with `dialect: "claude"` / `"gemini"` and `chat: true`.
 */
import type { Dialect } from "./formats/ir.ts";

export type EndpointName =
  | "chat_completions"
  | "completions"
  | "embeddings"
  | "moderations"
  | "images_generations"
  | "images_edits"
  | "audio_speech"
  | "audio_transcriptions"
  | "audio_translations"
  | "rerank"
  | "responses";

export interface Endpoint {
  name: EndpointName;
  /** Route path on the gateway. */
  path: string;
  /** Ingress dialect: the codec for chat-family endpoints, the error shape for all. */
  dialect: Dialect;
  /** Goes through the codecs (decode, translate, encode); otherwise passed through. */
  chat: boolean;
  body: "json" | "multipart";
  /** New API's model when the request names none. */
  defaultModel?: string;
  /** How the prompt is estimated before the call. */
  prompt: "chat" | "prompt" | "input" | "rerank" | "speech" | "audio" | "image";
}

const openai = (
  name: EndpointName,
  path: string,
  rest: Partial<Endpoint> & Pick<Endpoint, "prompt">,
): Endpoint => ({ name, path, dialect: "openai_chat", chat: false, body: "json", ...rest });

export const ENDPOINTS: readonly Endpoint[] = [
  openai("chat_completions", "/v1/chat/completions", { chat: true, prompt: "chat" }),
  openai("responses", "/v1/responses", { chat: true, dialect: "openai_responses", prompt: "chat" }),
  openai("completions", "/v1/completions", { prompt: "prompt" }),
  openai("embeddings", "/v1/embeddings", { prompt: "input" }),
  openai("moderations", "/v1/moderations", { prompt: "input", defaultModel: "text-moderation-stable" }),
  openai("images_generations", "/v1/images/generations", { prompt: "image", defaultModel: "dall-e" }),
  openai("images_edits", "/v1/images/edits", { prompt: "image", body: "multipart", defaultModel: "dall-e" }),
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
];

export function endpoint(name: EndpointName): Endpoint {
  return ENDPOINTS.find((e) => e.name === name)!;
}
