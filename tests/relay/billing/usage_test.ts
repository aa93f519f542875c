/** Usage mapping: OpenAI vs Claude semantics never double count the cache; hostile counts are clamped. */
import { assertEquals } from "../../support/assert.ts";
import {
  fromClaudeUsage,
  fromOpenAiUsage,
  promptTokensOf,
  sanitizeUsage,
} from "../../../relay/billing/usage.ts";
import { MAX_TOKEN_COUNT } from "../../../relay/billing/quota_math.ts";
import { resolvePrice, usageQuota } from "../../../relay/billing/pricing.ts";
import { PriceTable } from "../../../relay/billing/price_table.ts";

Deno.test("OpenAI usage: cached and cache-write tokens are inside prompt_tokens and carved out once", () => {
  const u = fromOpenAiUsage({
    prompt_tokens: 1000,
    completion_tokens: 50,
    prompt_tokens_details: { cached_tokens: 600, cache_write_tokens: 100 },
    completion_tokens_details: { reasoning_tokens: 20 },
  });
  assertEquals([u.inputTokens, u.cacheReadTokens, u.cacheWriteTokens, u.outputTokens], [300, 600, 100, 50]);
  assertEquals(promptTokensOf(u), 1000, "the prompt the upstream read is preserved");
  assertEquals(u.reasoningTokens, 20);
});

Deno.test("OpenAI Responses and DeepSeek field names map the same way", () => {
  const r = fromOpenAiUsage({
    input_tokens: 10,
    output_tokens: 5,
    input_tokens_details: { cached_tokens: 4 },
  });
  assertEquals([r.inputTokens, r.cacheReadTokens, r.outputTokens], [6, 4, 5]);
  const d = fromOpenAiUsage({ prompt_tokens: 10, completion_tokens: 1, prompt_cache_hit_tokens: 7 });
  assertEquals([d.inputTokens, d.cacheReadTokens], [3, 7]);
});

Deno.test("Claude usage: input excludes cache, so nothing is subtracted; the TTL split is kept", () => {
  const u = fromClaudeUsage({
    input_tokens: 100,
    output_tokens: 20,
    cache_read_input_tokens: 1000,
    cache_creation_input_tokens: 300,
    cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 100 },
  });
  assertEquals([u.inputTokens, u.cacheReadTokens, u.cacheWriteTokens], [100, 1000, 300]);
  assertEquals([u.cacheWrite5mTokens, u.cacheWrite1hTokens, u.semantic], [200, 100, "anthropic"]);
  assertEquals(promptTokensOf(u), 1400);
});

Deno.test("the same request reported in both semantics is charged the same", () => {
  const p = resolvePrice(new PriceTable({ option: () => undefined }), {
    model: "claude-sonnet-4-20250514",
    userGroup: "default",
    usingGroup: "default",
    selfUseMode: false,
    quotaPerUnit: 500_000,
  });
  const claude = fromClaudeUsage({
    input_tokens: 100,
    output_tokens: 20,
    cache_read_input_tokens: 1000,
    cache_creation_input_tokens: 200,
  });
  const openai = fromOpenAiUsage({
    prompt_tokens: 1300,
    completion_tokens: 20,
    prompt_tokens_details: { cached_tokens: 1000, cache_creation_tokens: 200 },
  });
  assertEquals(usageQuota(p, claude).quota, usageQuota(p, openai).quota);
});

Deno.test("hostile counts (−1e6, 1e15, NaN, strings) are clamped and flagged, never negative", () => {
  const { usage, clamped } = sanitizeUsage({
    inputTokens: -1e6,
    cacheReadTokens: Number.NaN,
    cacheWriteTokens: 0,
    outputTokens: 1e15,
    imageInputTokens: 5,
  });
  assertEquals(clamped, true);
  assertEquals([usage.inputTokens, usage.cacheReadTokens, usage.outputTokens], [0, 0, MAX_TOKEN_COUNT]);
  assertEquals(usage.imageInputTokens, undefined, "an image part cannot exceed the input it belongs to");
  const clean = sanitizeUsage({ inputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 2 });
  assertEquals(clean.clamped, false);
  const oai = fromOpenAiUsage({
    prompt_tokens: -5,
    completion_tokens: "7",
    prompt_tokens_details: { cached_tokens: 99 },
  });
  assertEquals([oai.inputTokens, oai.cacheReadTokens, oai.outputTokens], [0, 0, 7]);
});

Deno.test("a cache-write split larger than the total wins; the parts never exceed it", () => {
  const { usage } = sanitizeUsage({
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 10,
    cacheWrite5mTokens: 30,
    cacheWrite1hTokens: 20,
    outputTokens: 0,
  });
  assertEquals([usage.cacheWriteTokens, usage.cacheWrite5mTokens, usage.cacheWrite1hTokens], [50, 30, 20]);
});
