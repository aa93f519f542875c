/**
 * Gemini (type 24): `/{version}/models/{model}:{method}` — `generateContent`, or
 * `streamGenerateContent?alt=sse` for streams, and `countTokens`, `embedContent`, `batchEmbedContents`
 * passed through from Gemini clients; the key in `x-goog-api-key`. The API version is the channel's
 * `other` field when it names one (v1, v1beta, v1alpha), else v1beta. OpenAI embeddings and Imagen image
 * requests reach `batchEmbedContents` and `predict` through `formats/gemini/from_openai.ts`. Generation requests get
 * GEMINI_SAFETY_SETTING (BLOCK_NONE) for every category they do not set themselves; a body that names its
 * model (batch embeddings, a wrapped count request) names the upstream's.
 */
import type { EndpointName } from "../../endpoints.ts";
import type { ProviderSpec } from "../spec.ts";

const SAFETY_CATEGORIES = [
  "HARM_CATEGORY_HARASSMENT",
  "HARM_CATEGORY_HATE_SPEECH",
  "HARM_CATEGORY_SEXUALLY_EXPLICIT",
  "HARM_CATEGORY_DANGEROUS_CONTENT",
  "HARM_CATEGORY_CIVIC_INTEGRITY",
];

const METHODS: Partial<Record<EndpointName, string>> = {
  gemini_count_tokens: "countTokens",
  gemini_embed: "embedContent",
  gemini_batch_embed: "batchEmbedContents",
  gemini_predict: "predict",
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

export const geminiProvider: ProviderSpec = {
  name: "gemini",
  types: [24],
  defaultBaseUrl: "https://generativelanguage.googleapis.com",
  dialects: ["gemini"],
  // `gemini_predict` (Imagen) is reached only by OpenAI image requests (`via`), never from a route.
  passthrough: new Set(["gemini_count_tokens", "gemini_embed", "gemini_batch_embed", "gemini_predict"]),
  streamOptions: false,
  url(t) {
    const version = /^v1(beta|alpha)?\d*$/.test(t.other.trim()) ? t.other.trim() : "v1beta";
    const action = METHODS[t.endpoint] ??
      (t.stream ? "streamGenerateContent?alt=sse" : "generateContent");
    return `${t.baseUrl}/${version}/models/${encodeURIComponent(t.model)}:${action}`;
  },
  headers: (_t, key) => ({ "x-goog-api-key": key }),
  prepareBody(body, t) {
    const name = `models/${t.model}`;
    if (t.endpoint === "gemini_batch_embed" && Array.isArray(body.requests)) {
      for (const r of body.requests) if (isObject(r) && "model" in r) r.model = name;
      return;
    }
    if (t.endpoint === "gemini_count_tokens" && isObject(body.generateContentRequest)) {
      if ("model" in body.generateContentRequest) body.generateContentRequest.model = name;
      return;
    }
    if (t.endpoint !== "gemini_generate") return;
    const given = Array.isArray(body.safetySettings) ? body.safetySettings as { category?: string }[] : [];
    const set = new Set(given.map((s) => s?.category));
    const added = SAFETY_CATEGORIES.filter((c) => !set.has(c)).map((category) => ({
      category,
      threshold: t.env.geminiSafety,
    }));
    if (added.length) body.safetySettings = [...given, ...added];
  },
};
