/**
 * Gemini `:embedContent` / `:batchEmbedContents` for Gemini clients: the body schemas, and the
 * translation to OpenAI embeddings and back for channels that only serve `/v1/embeddings`. Only the text
 * parts are embedded (as one input per content); `taskType` and `title` have no OpenAI equivalent.
 */
import { z } from "zod";
import { RelayError } from "../errors.ts";

const content = z.looseObject({
  parts: z.array(z.looseObject({ text: z.string().optional() })).min(1, "must contain at least one part"),
});
const embedRequest = z.looseObject({
  model: z.string().optional(),
  content,
  outputDimensionality: z.number().int().positive().optional(),
});

export const geminiEmbedSchema = embedRequest;
export const geminiBatchEmbedSchema = z.looseObject({
  requests: z.array(embedRequest).min(1, "must contain at least one request"),
});

type EmbedRequest = z.output<typeof embedRequest>;
type Json = Record<string, unknown>;

/** The text of one content (its text parts, joined). */
export function contentText(c: unknown): string {
  const parts = (c as { parts?: unknown })?.parts;
  if (!Array.isArray(parts)) return "";
  return parts.map((p) => (typeof p?.text === "string" ? p.text : "")).filter((t) => t !== "").join("\n");
}

function requestsOf(body: Json, batch: boolean): EmbedRequest[] {
  return batch ? body.requests as EmbedRequest[] : [body as EmbedRequest];
}

/** The OpenAI embeddings body for a (validated) Gemini embed body. */
export function geminiEmbedToOpenAi(body: Json, batch: boolean, model: string): Json {
  const requests = requestsOf(body, batch);
  const out: Json = { model, input: requests.map((r) => contentText(r.content)), encoding_format: "float" };
  const dims = requests.find((r) => r.outputDimensionality)?.outputDimensionality;
  if (dims) out.dimensions = dims;
  return out;
}

function bad(): RelayError {
  return new RelayError(502, "The upstream answered with an unreadable embeddings body", {
    code: "bad_response_body",
  });
}

/** An OpenAI embeddings answer in Gemini's shape (`embedding` or, for a batch, `embeddings`). */
export function openAiEmbeddingsToGemini(answer: unknown, batch: boolean, count: number): Json {
  const data = (answer as { data?: unknown })?.data;
  if (!Array.isArray(data) || data.length !== count) throw bad();
  const vectors: { values: number[] }[] = new Array(count);
  data.forEach((d, i) => {
    const at = typeof d?.index === "number" ? d.index : i;
    if (!Array.isArray(d?.embedding) || at < 0 || at >= count) throw bad();
    vectors[at] = { values: d.embedding };
  });
  if (vectors.some((v) => !v)) throw bad();
  return batch ? { embeddings: vectors } : { embedding: vectors[0] };
}
