/**
 * The non-chat OpenAI endpoints of the fake upstream: embeddings, moderations, images (generations and
 * multipart edits), audio (binary speech, multipart transcriptions/translations), rerank and models.
 */

import { countTokens, embeddingVector, float32Base64, hashText, hexId, replyWords } from "./content.ts";
import { type CallContext, formFromBody, jsonResponse } from "./context.ts";
import { errorResponse } from "./errors.ts";
import { FAKE_CREATED } from "./generate.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

function inputTexts(input: unknown): string[] {
  if (typeof input === "string") return [input];
  if (Array.isArray(input)) {
    if (input.every((x) => typeof x === "number")) return [input.join(" ")];
    return input.map((x) => (typeof x === "string" ? x : Array.isArray(x) ? x.join(" ") : JSON.stringify(x)));
  }
  return [];
}

export function embeddings(ctx: CallContext): Response {
  const body = ctx.json;
  const texts = inputTexts(body?.input);
  if (!body || typeof body.model !== "string" || texts.length === 0) {
    return errorResponse("openai", 400, "'model' and a non-empty 'input' are required.");
  }
  const dims = Number(body.dimensions ?? ctx.settings.embeddingDimensions);
  const base64 = body.encoding_format === "base64";
  const tokens = texts.reduce((n, t) => n + countTokens(t), 0);
  return jsonResponse({
    object: "list",
    data: texts.map((t, index) => {
      const v = embeddingVector(t, dims);
      return { object: "embedding", index, embedding: base64 ? float32Base64(v) : v };
    }),
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

const MODERATION_CATEGORIES = [
  "harassment",
  "harassment/threatening",
  "hate",
  "hate/threatening",
  "illicit",
  "illicit/violent",
  "self-harm",
  "self-harm/instructions",
  "self-harm/intent",
  "sexual",
  "sexual/minors",
  "violence",
  "violence/graphic",
];

export function moderations(ctx: CallContext): Response {
  const body = ctx.json;
  const texts = inputTexts(body?.input);
  if (!body || texts.length === 0) return errorResponse("openai", 400, "'input' is required.");
  const flagged = ctx.directives.has("flag");
  return jsonResponse({
    id: `modr-${hexId(hashText(texts.join("|")), 16)}`,
    model: body.model ?? "omni-moderation-latest",
    results: texts.map(() => ({
      flagged,
      categories: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, flagged && c === "violence"])),
      category_scores: Object.fromEntries(
        MODERATION_CATEGORIES.map((c) => [c, flagged && c === "violence" ? 0.97 : 0.0001]),
      ),
      category_applied_input_types: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, ["text"]])),
    })),
  });
}

/** A 1×1 transparent PNG. */
const TINY_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

function imageAnswer(ctx: CallContext, prompt: string, n: number, format: string, model: string): Response {
  const seed = hashText(prompt);
  const data = Array.from(
    { length: n },
    (_, i) =>
      format === "url"
        ? { url: `${ctx.url.origin}/files/img-${hexId(seed + i, 12)}.png`, revised_prompt: prompt }
        : { b64_json: TINY_PNG, revised_prompt: prompt },
  );
  const tokens = countTokens(prompt);
  const answer: Json = { created: FAKE_CREATED, data };
  if (model.startsWith("gpt-image")) {
    answer.usage = {
      input_tokens: tokens,
      output_tokens: 272 * n,
      total_tokens: tokens + 272 * n,
      input_tokens_details: { text_tokens: tokens, image_tokens: 0 },
    };
  }
  return jsonResponse(answer);
}

export function imageGenerations(ctx: CallContext): Response {
  const body = ctx.json;
  if (!body || typeof body.prompt !== "string") return errorResponse("openai", 400, "'prompt' is required.");
  const model = String(body.model ?? "dall-e-2");
  const format = body.response_format ?? (model.startsWith("gpt-image") ? "b64_json" : "url");
  return imageAnswer(ctx, body.prompt, Number(body.n ?? 1), format, model);
}

export async function imageEdits(ctx: CallContext): Promise<Response> {
  const form = await formFromBody(ctx).catch(() => undefined);
  if (!form) return errorResponse("openai", 400, "Expected a multipart/form-data body.");
  const images = [...form.getAll("image"), ...form.getAll("image[]")].filter((v) => v instanceof File);
  const prompt = form.get("prompt");
  if (images.length === 0 || typeof prompt !== "string") {
    return errorResponse("openai", 400, "'image' (file) and 'prompt' are required.");
  }
  const model = String(form.get("model") ?? "dall-e-2");
  const format = String(form.get("response_format") ?? (model.startsWith("gpt-image") ? "b64_json" : "url"));
  return imageAnswer(ctx, prompt, Number(form.get("n") ?? 1), format, model);
}

/** DALL·E 2 variations: one `image` file, no prompt; the answer is seeded by the file's bytes. */
export async function imageVariations(ctx: CallContext): Promise<Response> {
  const form = await formFromBody(ctx).catch(() => undefined);
  if (!form) return errorResponse("openai", 400, "Expected a multipart/form-data body.");
  const image = form.get("image");
  if (!(image instanceof File)) return errorResponse("openai", 400, "'image' (file) is required.");
  const model = String(form.get("model") ?? "dall-e-2");
  if (model !== "dall-e-2") {
    return errorResponse("openai", 400, "Variations are only supported for dall-e-2.");
  }
  const seed = `variation of ${image.size} bytes`;
  const format = String(form.get("response_format") ?? "url");
  return imageAnswer(ctx, seed, Number(form.get("n") ?? 1), format, model);
}

const AUDIO_TYPES: Record<string, string> = {
  mp3: "audio/mpeg",
  opus: "audio/ogg",
  aac: "audio/aac",
  flac: "audio/flac",
  wav: "audio/wav",
  pcm: "audio/pcm",
};

/** Speech: deterministic bytes, 16 per input character, after a format-ish header. */
export function audioSpeech(ctx: CallContext): Response {
  const body = ctx.json;
  if (!body || typeof body.input !== "string" || typeof body.voice !== "string") {
    return errorResponse("openai", 400, "'model', 'input' and 'voice' are required.");
  }
  const format = String(body.response_format ?? "mp3");
  const header = new TextEncoder().encode(format === "wav" ? "RIFF" : "ID3\u0004");
  const bytes = new Uint8Array(header.length + body.input.length * 16);
  bytes.set(header);
  let s = hashText(body.input) || 1;
  for (let i = header.length; i < bytes.length; i++) {
    s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) >>> 0;
    bytes[i] = s & 0xff;
  }
  return new Response(bytes, { headers: { "content-type": AUDIO_TYPES[format] ?? "audio/mpeg" } });
}

export async function audioTranscription(
  ctx: CallContext,
  task: "transcribe" | "translate",
): Promise<Response> {
  const form = await formFromBody(ctx).catch(() => undefined);
  const file = form?.get("file");
  if (!form || !(file instanceof File) || typeof form.get("model") !== "string") {
    return errorResponse("openai", 400, "'file' and 'model' are required (multipart/form-data).");
  }
  const audio = new Uint8Array(await file.arrayBuffer());
  const words = replyWords(`audio ${file.name}`, hashText(file.name) ^ audio.length, 8);
  const text = words.join(" ");
  const duration = Math.max(1, Math.round(audio.length / 16000));
  const format = String(form.get("response_format") ?? "json");
  if (format === "text") return new Response(text, { headers: { "content-type": "text/plain" } });
  if (format === "srt" || format === "vtt") {
    const cue = `00:00:00${format === "srt" ? "," : "."}000 --> 00:00:0${Math.min(duration, 9)}${
      format === "srt" ? "," : "."
    }000`;
    const out = format === "srt" ? `1\n${cue}\n${text}\n` : `WEBVTT\n\n${cue}\n${text}\n`;
    return new Response(out, { headers: { "content-type": "text/plain" } });
  }
  if (format === "verbose_json") {
    return jsonResponse({
      task,
      language: task === "translate" ? "english" : String(form.get("language") ?? "english"),
      duration,
      text,
      segments: [{ id: 0, seek: 0, start: 0, end: duration, text, tokens: [], temperature: 0 }],
      usage: { type: "duration", seconds: duration },
    });
  }
  const inputTokens = Math.ceil(audio.length / 64);
  return jsonResponse({
    text,
    usage: {
      type: "tokens",
      input_tokens: inputTokens,
      input_token_details: { audio_tokens: inputTokens, text_tokens: 0 },
      output_tokens: words.length,
      total_tokens: inputTokens + words.length,
    },
  });
}

/** Rerank (Jina/Cohere shape, as New API relays it): score = share of query words found in the document. */
export function rerank(ctx: CallContext): Response {
  const body = ctx.json;
  if (!body || typeof body.query !== "string" || !Array.isArray(body.documents)) {
    return errorResponse("openai", 400, "'query' and 'documents' are required.");
  }
  const docs: string[] = body.documents.map((d: Json) => (typeof d === "string" ? d : String(d?.text ?? "")));
  const queryWords = body.query.toLowerCase().split(/\W+/).filter(Boolean);
  const scored = docs.map((text, index) => {
    const words = new Set(text.toLowerCase().split(/\W+/));
    const hits = queryWords.filter((w: string) => words.has(w)).length;
    const score = queryWords.length ? hits / queryWords.length : 0;
    return {
      index,
      relevance_score: Math.round((score * 0.9 + (hashText(text) % 100) / 1000) * 1e6) / 1e6,
      text,
    };
  }).sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index);
  const top = body.top_n ? scored.slice(0, Number(body.top_n)) : scored;
  const tokens = countTokens(body.query) + docs.reduce((n, d) => n + countTokens(d), 0);
  const results = top.map((r) => ({
    index: r.index,
    relevance_score: r.relevance_score,
    ...(body.return_documents ? { document: { text: r.text } } : {}),
  }));
  const id = `rerank-${hexId(hashText(body.query), 12)}`;
  // Cohere's models answer in Cohere's shape (billed in search units, no tokens), SiliconFlow's BAAI
  // models in SiliconFlow's (tokens under meta); everything else in Jina's.
  const model = String(body.model ?? "");
  if (model.startsWith("rerank-")) {
    return jsonResponse({
      id,
      results,
      meta: { api_version: { version: "1" }, billed_units: { search_units: 1 } },
    });
  }
  if (model.startsWith("BAAI/")) {
    return jsonResponse({ id, results, meta: { tokens: { input_tokens: tokens, output_tokens: 0 } } });
  }
  return jsonResponse({
    id,
    model: body.model,
    results: top.map((r) => ({
      index: r.index,
      relevance_score: r.relevance_score,
      ...(body.return_documents === false ? {} : { document: { text: r.text } }),
    })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

export function models(ctx: CallContext): Response {
  return jsonResponse({
    object: "list",
    data: ctx.settings.models.map((id) => ({ id, object: "model", created: FAKE_CREATED, owned_by: "fake" })),
  });
}

export function model(ctx: CallContext): Response {
  const id = ctx.params.model;
  if (!ctx.settings.models.includes(id)) {
    return errorResponse("openai", 404, `The model '${id}' does not exist`);
  }
  return jsonResponse({ id, object: "model", created: FAKE_CREATED, owned_by: "fake" });
}
