/** Pricing: New API's formula, the default tables and family rules, fixed prices and saturation. */
import { assert, assertEquals, assertThrows } from "../../support/assert.ts";
import { PriceTable } from "../../../relay/billing/price_table.ts";
import {
  channelPromptCacheRatio,
  type PriceData,
  reservationQuota,
  resolvePrice,
  usageQuota,
  withChannelCacheRatio,
} from "../../../relay/billing/pricing.ts";
import { ModelNotPricedError } from "../../../relay/billing/errors.ts";
import { MAX_QUOTA_PER_REQUEST } from "../../../relay/billing/quota_math.ts";
import { imagePriceMultiplier } from "../../../relay/billing/image_price.ts";

const table = (options: Record<string, unknown> = {}) =>
  new PriceTable({
    option: (k: string) => options[k] === undefined ? undefined : JSON.stringify(options[k]),
  });

const price = (model: string, options: Record<string, unknown> = {}, groups = ["default", "default"]) =>
  resolvePrice(table(options), {
    model,
    userGroup: groups[0],
    usingGroup: groups[1],
    selfUseMode: false,
    quotaPerUnit: 500_000,
  });

const usage = (input: number, output: number) => ({
  inputTokens: input,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: output,
});

Deno.test("1 prompt token = 1 quota and 1 completion token = 2: P=100, C=50 costs exactly 200", () => {
  const p = price("test-model", { ModelRatio: { "test-model": 1 }, CompletionRatio: { "test-model": 2 } });
  assertEquals(p.completionRatio, 2);
  assertEquals(usageQuota(p, usage(100, 50)).quota, 200);
});

Deno.test("group ratio and the user-group special ratio multiply the charge", () => {
  const opts = {
    ModelRatio: { m: 1 },
    GroupRatio: { default: 1, vip: 2 },
    GroupGroupRatio: { vip: { default: 0.5 } },
  };
  assertEquals(usageQuota(price("m", opts, ["default", "vip"]), usage(100, 0)).quota, 200);
  const special = price("m", opts, ["vip", "default"]);
  assertEquals([special.groupRatio, special.userGroupRatio], [0.5, 0.5]);
  assertEquals(usageQuota(special, usage(100, 0)).quota, 50);
  assertEquals(price("m", opts).userGroupRatio, -1);
});

Deno.test("built-in tables: gpt-4o is 1.25 with completion 4 and cache 0.5; Claude cache writes 1.25 / 1h × 1.6", () => {
  const gpt = price("gpt-4o");
  assertEquals([gpt.modelRatio, gpt.completionRatio, gpt.cacheRatio], [1.25, 4, 0.5]);
  const claude = price("claude-sonnet-4-20250514");
  assertEquals([claude.modelRatio, claude.completionRatio, claude.cacheRatio], [1.5, 5, 0.1]);
  assertEquals(claude.createCacheRatio, 1.25);
  assertEquals(claude.createCache1hRatio, 2);
  assertEquals(price("dall-e-3").modelPrice, 0.04);
});

Deno.test("completion ratio: locked family rules beat the option, unlocked ones are only a fallback", () => {
  const opts = {
    ModelRatio: { "gpt-4o": 1, "gpt-5": 1, "my-model": 1 },
    CompletionRatio: { "gpt-4o": 9, "gpt-5": 9 },
  };
  assertEquals(price("gpt-4o", opts).completionRatio, 9, "gpt-4o's rule (4) is unlocked");
  assertEquals(price("gpt-5", opts).completionRatio, 8, "gpt-5's rule is locked");
  assertEquals(price("gpt-4o-2024-05-13").completionRatio, 3);
  assertEquals(price("my-model", opts).completionRatio, 1);
  assertEquals(price("o3-mini").completionRatio, 4);
  assertEquals(price("gemini-2.5-pro").completionRatio, 8);
});

Deno.test("thinking-budget variants and GPTs share their wildcard price entry", () => {
  assertEquals(price("gemini-2.5-flash-thinking-1024").modelRatio, 0.075);
  assertEquals(price("gpt-4-gizmo-g-abc").modelPrice, 0.1);
});

Deno.test("an unpriced model is a typed error unless self-use mode, which bills at 37.5", () => {
  const err = assertThrows(() => price("nobody-priced-this"), ModelNotPricedError, "nobody-priced-this");
  assertEquals((err as ModelNotPricedError).status, 400);
  const selfUse = resolvePrice(table(), {
    model: "nobody-priced-this",
    userGroup: "default",
    usingGroup: "default",
    selfUseMode: true,
    quotaPerUnit: 500_000,
  });
  assertEquals([selfUse.modelRatio, selfUse.selfUseFallback], [37.5, true]);
});

Deno.test("a fixed price wins over the ratio: $0.04 × 500000 × group × size/quality multiplier × n", () => {
  const p = price("dall-e-3", { ModelRatio: { "dall-e-3": 100 } });
  assert(p.usePrice);
  assertEquals(reservationQuota(p, { promptTokens: 10, preConsumedTokens: 500, n: 2 }).quota, 40_000);
  const hd1792 = imagePriceMultiplier("dall-e-3", "1792x1024", "hd");
  assertEquals(hd1792, 3);
  assertEquals(usageQuota(p, usage(0, 0), hd1792).quota, 60_000);
  assertEquals([imagePriceMultiplier("dall-e-2", "256x256"), imagePriceMultiplier("dall-e-2", "512x512")], [
    0.4,
    0.45,
  ]);
  assertEquals(imagePriceMultiplier("dall-e-3", "1024x1024", "hd"), 2);
});

Deno.test("reservation: prompt + max_tokens × n at the completion ratio; max(prompt, PreConsumedQuota) uncapped", () => {
  const p = price("m", { ModelRatio: { m: 2 }, CompletionRatio: { m: 3 } });
  assertEquals(reservationQuota(p, { promptTokens: 100, preConsumedTokens: 500 }).quota, 1000);
  assertEquals(
    reservationQuota(p, { promptTokens: 800, maxTokens: 100, n: 2, preConsumedTokens: 500 }).quota,
    2800,
  );
  // With a cap the PreConsumedQuota floor does not apply: (20 + 14 × 3) × 2, not (500 + 42) × 2.
  assertEquals(reservationQuota(p, { promptTokens: 20, maxTokens: 14, preConsumedTokens: 500 }).quota, 124);
});

Deno.test("OpenAI semantics: cached tokens are carved out of the prompt and billed at the cache ratio", () => {
  const p = price("gpt-4o", { ModelRatio: { "gpt-4o": 1 } });
  // prompt 1000 of which 600 cached: 400 + 600 × 0.5 = 700; completion 10 × 4 = 40.
  assertEquals(
    usageQuota(p, { inputTokens: 400, cacheReadTokens: 600, cacheWriteTokens: 0, outputTokens: 10 }).quota,
    740,
  );
});

Deno.test("Claude semantics: cache reads and 5m/1h writes priced apart, never subtracted from input", () => {
  const p = price("claude-sonnet-4-20250514", { ModelRatio: { "claude-sonnet-4-20250514": 1 } });
  const u = {
    inputTokens: 100,
    cacheReadTokens: 1000,
    cacheWriteTokens: 300,
    cacheWrite5mTokens: 100,
    cacheWrite1hTokens: 100,
    outputTokens: 20,
  };
  // 100 + 1000 × 0.1 + (100 rest + 100 5m) × 1.25 + 100 × 2 + 20 × 5 = 100 + 100 + 250 + 200 + 100.
  assertEquals(usageQuota(p, u).quota, 750);
});

Deno.test("a channel's prompt cache ratio (0–1) overrides the model's cache ratio", () => {
  const p = price("gpt-4o", { ModelRatio: { "gpt-4o": 1 } });
  assertEquals(channelPromptCacheRatio('{"prompt_cache_ratio":0.2}'), 0.2);
  assertEquals(channelPromptCacheRatio('{"prompt_cache_ratio":3}'), undefined);
  assertEquals(channelPromptCacheRatio("not json"), undefined);
  const q = withChannelCacheRatio(p, 0.2);
  assertEquals(
    usageQuota(q, { inputTokens: 0, cacheReadTokens: 1000, cacheWriteTokens: 0, outputTokens: 0 }).quota,
    200,
  );
  assertEquals(withChannelCacheRatio(p, 1.5).cacheRatio, 0.5);
});

Deno.test("no tokens charges 0; any tokens at a positive ratio charge at least 1", () => {
  const p = price("gpt-4.1-nano");
  assertEquals(usageQuota(p, usage(0, 0)).quota, 0);
  assertEquals(usageQuota(p, usage(1, 0)).quota, 1);
});

Deno.test("hostile ratios and multipliers saturate instead of wrapping or going negative", () => {
  const p: PriceData = {
    ...price("m", { ModelRatio: { m: 10_000 } }),
    completionRatio: 1000,
    groupRatio: 1000,
  };
  const huge = usageQuota(p, usage(100_000_000, 100_000_000));
  assertEquals(huge.quota, MAX_QUOTA_PER_REQUEST);
  assertEquals(huge.clamp?.kind, "overflow");
  const nan = usageQuota({ ...p, modelRatio: NaN }, usage(10, 10));
  assertEquals(nan.quota, 0);
  assertEquals(nan.clamp?.kind, "nan");
  const neg = usageQuota({ ...p, modelRatio: -5 }, usage(10, 10));
  assertEquals(neg.quota, 0);
  assertEquals(
    reservationQuota(p, { promptTokens: 1, maxTokens: 10_000_000, n: 128, preConsumedTokens: 500 }).quota,
    MAX_QUOTA_PER_REQUEST,
  );
});

Deno.test("stored option maps drop negative, non-numeric and absurd values", () => {
  const t = table({ ModelRatio: { a: -1, b: "x", c: 1e9, d: 2 } });
  assertEquals([t.modelRatio("a"), t.modelRatio("b"), t.modelRatio("c"), t.modelRatio("d")], [
    undefined,
    undefined,
    undefined,
    2,
  ]);
});
