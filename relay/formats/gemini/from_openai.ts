/**
 * OpenAI requests served by a Gemini channel, as New API's gemini adaptor converts them: `/v1/embeddings` →
 * `:batchEmbedContents` (one request per input, answered with the prompt count billing settles at, since
 * Gemini reports no tokens) and `/v1/images/generations` → Imagen's `:predict` (size → aspect ratio,
 * filtered images dropped, 258 prompt tokens per image returned).
 */
import { RelayError } from "../errors.ts";
import type { BillableUsage } from "../../billing/usage.ts";

type Json = Record<string, unknown>;

/** What a converted answer becomes: the client's body and, when the upstream reported none, the usage. */
export interface ConvertedAnswer {
  body: unknown;
  usage?: BillableUsage;
  /** Images actually returned: a per-call price is charged for these (New API's `n` other-ratio). */
  images?: number;
}

function bad(what: string): RelayError {
  return new RelayError(502, `The upstream answered with an unreadable ${what} body`, {
    code: "bad_response_body",
  });
}

const tokensUsage = (n: number): BillableUsage => ({
  inputTokens: n,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 0,
});

/** The texts of an OpenAI `input` (a string, or strings; token-id arrays have no Gemini equivalent). */
function inputTexts(input: unknown): string[] {
  const list = Array.isArray(input) ? input : [input];
  if (!list.every((x) => typeof x === "string")) {
    throw new RelayError(400, "input: a Gemini channel embeds text only (a string or strings)", {
      code: "invalid_request_error",
      param: "input",
    });
  }
  return list as string[];
}

export function openAiEmbeddingsToGeminiBatch(body: Json, model: string): Json {
  const dims = typeof body.dimensions === "number" ? body.dimensions : undefined;
  return {
    requests: inputTexts(body.input).map((text) => ({
      model: `models/${model}`,
      content: { parts: [{ text }] },
      ...(dims ? { outputDimensionality: dims } : {}),
    })),
  };
}

/** Float32 little-endian bytes, base64: OpenAI's `encoding_format: "base64"` (the SDK's default). */
function float32Base64(values: number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function geminiBatchToOpenAiEmbeddings(
  answer: unknown,
  request: Json,
  model: string,
  promptTokens: number,
): ConvertedAnswer {
  const embeddings = (answer as { embeddings?: unknown })?.embeddings;
  if (!Array.isArray(embeddings)) throw bad("embeddings");
  const base64 = request.encoding_format === "base64";
  const data = embeddings.map((e, index) => {
    const values = (e as { values?: unknown })?.values;
    if (!Array.isArray(values) || !values.every((v) => typeof v === "number")) throw bad("embeddings");
    return { object: "embedding", index, embedding: base64 ? float32Base64(values) : values };
  });
  return {
    body: {
      object: "list",
      data,
      model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
    usage: tokensUsage(promptTokens),
  };
}

/** New API's size → Imagen aspect ratio; a size already written as a ratio is kept. */
const ASPECT: Record<string, string> = {
  "256x256": "1:1",
  "512x512": "1:1",
  "1024x1024": "1:1",
  "1536x1024": "3:2",
  "1024x1536": "2:3",
  "1792x1024": "16:9",
  "1024x1792": "9:16",
};

export function openAiImageToImagen(body: Json, model: string): Json {
  if (!model.startsWith("imagen")) {
    throw new RelayError(400, `The model ${model} cannot generate images on a Gemini channel (Imagen only)`, {
      code: "model_not_supported",
      param: "model",
    });
  }
  const size = typeof body.size === "string" ? body.size : "";
  const aspectRatio = ASPECT[size] ?? (/^\d+:\d+$/.test(size) ? size : "1:1");
  return {
    instances: [{ prompt: body.prompt }],
    parameters: {
      sampleCount: typeof body.n === "number" ? body.n : 1,
      aspectRatio,
      personGeneration: "allow_adult",
    },
  };
}

/** Tokens New API bills per generated Imagen image (Google's fixed count for an image). */
export const IMAGEN_TOKENS_PER_IMAGE = 258;

export function imagenToOpenAiImage(answer: unknown, created: number): ConvertedAnswer {
  const predictions = (answer as { predictions?: unknown })?.predictions;
  if (!Array.isArray(predictions)) throw bad("image");
  const data = predictions
    .filter((p) => !p?.raiFilteredReason && typeof p?.bytesBase64Encoded === "string")
    .map((p) => ({ b64_json: p.bytesBase64Encoded as string }));
  return {
    body: { created, data },
    usage: tokensUsage(IMAGEN_TOKENS_PER_IMAGE * data.length),
    images: data.length,
  };
}
