/**
 * Rerank answers in the shape New API serves (`{results, usage}`, Jina's): Jina's own answers pass through;
 * Cohere's (`meta.billed_units`, search units and sometimes tokens) and SiliconFlow's or Xinference's
 * (`meta.tokens`) are rewritten, documents as `{text}`. Usage is the upstream's input tokens where it
 * reports them, else undefined (the gateway's prompt estimate is billed, New API's rule).
 */
import type { BillableUsage } from "../billing/usage.ts";
import { clampCount } from "../billing/quota_math.ts";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? v as Json : {});

export interface RerankAnswer {
  usage?: BillableUsage;
  /** The rewritten answer; undefined when the upstream's bytes are already in the served shape. */
  body?: Json;
}

/**
 * `answer` (a 2xx rerank body) in the served shape; `promptTokens` (asked only then: it may be an exact
 * tokenizer count) fills usage the upstream did not report.
 */
export function rerankAnswer(answer: Json, promptTokens: number | (() => number)): RerankAnswer {
  if (answer.usage && typeof answer.usage === "object") return {};
  const meta = obj(answer.meta);
  const reported = clampCount(obj(meta.billed_units).input_tokens ?? obj(meta.tokens).input_tokens).count;
  const usage: BillableUsage | undefined = reported > 0
    ? { inputTokens: reported, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, semantic: "openai" }
    : undefined;
  const results = (Array.isArray(answer.results) ? answer.results : []).map((r) => {
    const x = obj(r);
    const out: Json = { index: x.index, relevance_score: x.relevance_score };
    if (typeof x.document === "string") out.document = { text: x.document };
    else if (x.document && typeof x.document === "object") out.document = x.document;
    return out;
  });
  const prompt = reported > 0
    ? reported
    : Math.max(0, typeof promptTokens === "function" ? promptTokens() : promptTokens);
  return {
    usage,
    body: { results, usage: { prompt_tokens: prompt, completion_tokens: 0, total_tokens: prompt } },
  };
}
