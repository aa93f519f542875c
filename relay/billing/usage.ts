/**
 * The usage we bill from, and how each upstream dialect maps onto it so cache tokens are never counted
 * twice. The counters are disjoint (the same shape as the codecs' IrUsage, so an IrUsage can be passed
 * as is):
 *
 * - `inputTokens`: prompt tokens neither read from nor written to a cache. It includes image and audio
 *   input; `imageInputTokens`/`audioInputTokens` say how much of it was image/audio (priced apart).
 * - `cacheReadTokens`, `cacheWriteTokens` (with the optional Claude TTL split `cacheWrite5mTokens` +
 *   `cacheWrite1hTokens`; any rest of `cacheWriteTokens` is priced at the 5-minute rate).
 * - `outputTokens`: everything generated, reasoning included (`reasoningTokens` is informational);
 *   `audioOutputTokens` is the audio part of it.
 *
 * OpenAI semantics (OpenAI, Azure, DeepSeek, Gemini-compat): `prompt_tokens` INCLUDES
 * `prompt_tokens_details.cached_tokens` (and cache writes when reported), so
 * `inputTokens = prompt_tokens − cached − cache_write`. Claude semantics: `input_tokens` EXCLUDES
 * `cache_read_input_tokens` and `cache_creation_input_tokens`, so `inputTokens = input_tokens` and the
 * cache counters are taken as they come.
 */
import { clampCount, MAX_TOKEN_COUNT } from "./quota_math.ts";

export interface BillableUsage {
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  outputTokens: number;
  reasoningTokens?: number;
  imageInputTokens?: number;
  audioInputTokens?: number;
  audioOutputTokens?: number;
  /** Counted locally (tokenizer) because the upstream reported none. */
  estimated?: boolean;
  /** Which dialect reported it; only changes how the log's `prompt_tokens` column reads (New API's way). */
  semantic?: "openai" | "anthropic";
}

/** The prompt as the upstream read it, cache included. */
export function promptTokensOf(u: BillableUsage): number {
  return u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;
}

export function totalTokensOf(u: BillableUsage): number {
  return promptTokensOf(u) + u.outputTokens;
}

/**
 * Every counter clamped to a whole number in [0, MAX_TOKEN_COUNT], parts never larger than their whole
 * (image/audio ≤ input, audio out ≤ output, 5m + 1h ≤ writes). `clamped` says whether anything changed,
 * which the settlement records as an audit flag.
 */
export function sanitizeUsage(u: BillableUsage): { usage: BillableUsage; clamped: boolean } {
  let clamped = false;
  const c = (v: unknown) => {
    const r = clampCount(v);
    if (r.clamped) clamped = true;
    return r.count;
  };
  const inputTokens = c(u.inputTokens);
  const outputTokens = c(u.outputTokens);
  const cacheReadTokens = c(u.cacheReadTokens);
  const w5 = c(u.cacheWrite5mTokens);
  const w1 = c(u.cacheWrite1hTokens);
  // A split larger than the total wins (New API's rule); the 1h part is the dearer one, kept first.
  const cacheWriteTokens = Math.min(MAX_TOKEN_COUNT, Math.max(c(u.cacheWriteTokens), w5 + w1));
  const cacheWrite1hTokens = Math.min(w1, cacheWriteTokens);
  const cacheWrite5mTokens = Math.min(w5, cacheWriteTokens - cacheWrite1hTokens);
  const part = (v: unknown, whole: number) => {
    const n = c(v);
    if (n > whole) clamped = true;
    return Math.min(n, whole);
  };
  const usage: BillableUsage = {
    inputTokens,
    cacheReadTokens,
    cacheWriteTokens,
    outputTokens,
    reasoningTokens: part(u.reasoningTokens, outputTokens),
    estimated: u.estimated === true,
    semantic: u.semantic === "anthropic" ? "anthropic" : "openai",
  };
  if (cacheWrite5mTokens > 0) usage.cacheWrite5mTokens = cacheWrite5mTokens;
  if (cacheWrite1hTokens > 0) usage.cacheWrite1hTokens = cacheWrite1hTokens;
  const image = part(u.imageInputTokens, inputTokens);
  const audioIn = part(u.audioInputTokens, inputTokens - image);
  const audioOut = part(u.audioOutputTokens, outputTokens);
  if (image > 0) usage.imageInputTokens = image;
  if (audioIn > 0) usage.audioInputTokens = audioIn;
  if (audioOut > 0) usage.audioOutputTokens = audioOut;
  return { usage, clamped };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? v as Json : {});
const num = (v: unknown) => clampCount(v).count;

/**
 * OpenAI Chat `usage` (also Azure, DeepSeek, and the Responses shape with `input_tokens`/`output_tokens`):
 * cached and cache-write tokens are carved out of the prompt, never added to it. DeepSeek's
 * `prompt_cache_hit_tokens` is its name for cached tokens.
 */
export function fromOpenAiUsage(raw: unknown): BillableUsage {
  const u = obj(raw);
  const pd = obj(u.prompt_tokens_details ?? u.input_tokens_details);
  const cd = obj(u.completion_tokens_details ?? u.output_tokens_details);
  const prompt = num(u.prompt_tokens ?? u.input_tokens);
  const cached = Math.min(num(pd.cached_tokens ?? u.prompt_cache_hit_tokens), prompt);
  const written = Math.min(num(pd.cache_write_tokens ?? pd.cache_creation_tokens), prompt - cached);
  const out: BillableUsage = {
    inputTokens: prompt - cached - written,
    cacheReadTokens: cached,
    cacheWriteTokens: written,
    outputTokens: num(u.completion_tokens ?? u.output_tokens),
    reasoningTokens: num(cd.reasoning_tokens),
    semantic: "openai",
  };
  const image = num(pd.image_tokens);
  const audioIn = num(pd.audio_tokens);
  const audioOut = num(cd.audio_tokens);
  if (image > 0) out.imageInputTokens = Math.min(image, out.inputTokens);
  if (audioIn > 0) out.audioInputTokens = Math.min(audioIn, out.inputTokens - (out.imageInputTokens ?? 0));
  if (audioOut > 0) out.audioOutputTokens = Math.min(audioOut, out.outputTokens);
  return out;
}

/** Claude Messages `usage`: input excludes cache reads and writes, so nothing is subtracted. */
export function fromClaudeUsage(raw: unknown): BillableUsage {
  const u = obj(raw);
  const split = obj(u.cache_creation);
  const w5 = num(split.ephemeral_5m_input_tokens);
  const w1 = num(split.ephemeral_1h_input_tokens);
  const out: BillableUsage = {
    inputTokens: num(u.input_tokens),
    cacheReadTokens: num(u.cache_read_input_tokens),
    cacheWriteTokens: Math.max(num(u.cache_creation_input_tokens), w5 + w1),
    outputTokens: num(u.output_tokens),
    semantic: "anthropic",
  };
  if (w5 > 0) out.cacheWrite5mTokens = w5;
  if (w1 > 0) out.cacheWrite1hTokens = w1;
  return out;
}
