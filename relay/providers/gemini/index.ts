/**
 * Gemini (type 24): `/{version}/models/{model}:generateContent`, or `:streamGenerateContent?alt=sse` for
 * streams; the key in `x-goog-api-key`. The API version is the channel's `other` field when it names one
 * (v1, v1beta, v1alpha), else v1beta. Safety settings default to GEMINI_SAFETY_SETTING (BLOCK_NONE) for
 * every category the request does not set itself.
 */
import type { ProviderSpec } from "../spec.ts";

const SAFETY_CATEGORIES = [
  "HARM_CATEGORY_HARASSMENT",
  "HARM_CATEGORY_HATE_SPEECH",
  "HARM_CATEGORY_SEXUALLY_EXPLICIT",
  "HARM_CATEGORY_DANGEROUS_CONTENT",
  "HARM_CATEGORY_CIVIC_INTEGRITY",
];

export const geminiProvider: ProviderSpec = {
  name: "gemini",
  types: [24],
  defaultBaseUrl: "https://generativelanguage.googleapis.com",
  dialects: ["gemini"],
  passthrough: new Set(),
  streamOptions: false,
  url(t) {
    const version = /^v1(beta|alpha)?\d*$/.test(t.other.trim()) ? t.other.trim() : "v1beta";
    const action = t.stream ? "streamGenerateContent?alt=sse" : "generateContent";
    return `${t.baseUrl}/${version}/models/${encodeURIComponent(t.model)}:${action}`;
  },
  headers: (_t, key) => ({ "x-goog-api-key": key }),
  prepareBody(body, t) {
    const given = Array.isArray(body.safetySettings) ? body.safetySettings as { category?: string }[] : [];
    const set = new Set(given.map((s) => s?.category));
    const added = SAFETY_CATEGORIES.filter((c) => !set.has(c)).map((category) => ({
      category,
      threshold: t.env.geminiSafety,
    }));
    if (added.length) body.safetySettings = [...given, ...added];
  },
};
