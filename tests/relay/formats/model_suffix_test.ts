/** New API's model-name suffixes for reasoning control, resolved into the IR (new-api.md §3). */
import { applyModelSuffix } from "../../../relay/formats/model_suffix.ts";
import type { IrRequest } from "../../../relay/formats/ir.ts";
import { translation } from "../../../relay/formats/translate.ts";
import { assertEquals } from "../../support/assert.ts";

const base = (extra: Partial<IrRequest> = {}): IrRequest => ({
  model: "x",
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  stream: false,
  ...extra,
});

function resolve(model: string, extra: Partial<IrRequest> = {}, opts = {}) {
  const ir = base({ model, ...extra });
  const before = structuredClone(ir);
  const out = applyModelSuffix(model, ir, opts);
  assertEquals(ir, before, "the input IR is not mutated");
  assertEquals(out.ir.model, out.upstreamModel);
  return out;
}

Deno.test("openai_effort_suffixes_become_reasoning_effort", () => {
  assertEquals(resolve("o3-mini-high").upstreamModel, "o3-mini");
  assertEquals(resolve("o3-mini-high").ir.reasoning, { enabled: true, effort: "high" });
  assertEquals(resolve("gpt-5-nano-minimal").ir.reasoning, { enabled: true, effort: "minimal" });
  assertEquals(resolve("gpt-5.1-none").ir.reasoning, { enabled: false });
  assertEquals(resolve("openai/o4-mini-xhigh").upstreamModel, "openai/o4-mini");
  assertEquals(resolve("gpt-4.1-high").upstreamModel, "gpt-4.1-high", "not a reasoning family");
  assertEquals(resolve("gpt-5.1-codex-max").upstreamModel, "gpt-5.1-codex-max", "-max is part of the id");
});

Deno.test("claude_thinking_suffix_uses_new_apis_budget_rule", () => {
  const d = resolve("claude-sonnet-4-5-thinking", { temperature: 0.2, topP: 0.5 });
  assertEquals(d.upstreamModel, "claude-sonnet-4-5");
  assertEquals([d.ir.maxTokens, d.ir.reasoning, d.ir.temperature, d.ir.topP], [
    8192,
    { enabled: true, budgetTokens: 6553 },
    1,
    undefined,
  ]);
  const small = resolve("claude-sonnet-4-5-thinking", { maxTokens: 500 });
  assertEquals([small.ir.maxTokens, small.ir.reasoning?.budgetTokens], [1280, 1024]);
  const mine = resolve("claude-sonnet-4-5-thinking", { reasoning: { enabled: true, budgetTokens: 3000 } });
  assertEquals([mine.upstreamModel, mine.ir.reasoning], ["claude-sonnet-4-5", {
    enabled: true,
    budgetTokens: 3000,
  }]);
  assertEquals(resolve("claude-opus-4-7-thinking").ir.reasoning, {
    enabled: true,
    adaptive: true,
    effort: "high",
  });
  assertEquals(resolve("claude-opus-4-6-low").ir.reasoning, { enabled: true, adaptive: true, effort: "low" });
  assertEquals(resolve("claude-sonnet-4-5-low").upstreamModel, "claude-sonnet-4-5-low");
  assertEquals(
    resolve("claude-sonnet-4-5-thinking", {}, { claudeThinkingAdapter: false }).upstreamModel,
    "claude-sonnet-4-5-thinking",
  );
  assertEquals(
    resolve("claude-sonnet-4-5-thinking", { maxTokens: 10000 }, { claudeBudgetShare: 0.5 }).ir.reasoning
      ?.budgetTokens,
    5000,
  );
});

Deno.test("gemini_thinking_suffixes_when_the_adapter_is_on", () => {
  const on = { geminiThinkingAdapter: true };
  assertEquals(resolve("gemini-2.5-flash-thinking-1024", {}, on).upstreamModel, "gemini-2.5-flash");
  assertEquals(resolve("gemini-2.5-flash-thinking-1024", {}, on).ir.reasoning, {
    enabled: true,
    budgetTokens: 1024,
    includeThoughts: true,
  });
  assertEquals(resolve("gemini-2.5-flash-nothinking", {}, on).ir.reasoning, { enabled: false });
  assertEquals(resolve("gemini-2.5-flash-thinking", { maxTokens: 1000 }, on).ir.reasoning, {
    enabled: true,
    includeThoughts: true,
    budgetTokens: 600,
  });
  assertEquals(resolve("gemini-3-pro-preview-low", {}, on).ir.reasoning, {
    enabled: true,
    effort: "low",
    includeThoughts: true,
  });
  assertEquals(
    resolve("gemini-2.5-flash-thinking", {}).upstreamModel,
    "gemini-2.5-flash-thinking",
    "adapter off by default",
  );
});

Deno.test("thinking_model_blacklist_keeps_the_literal_suffix", () => {
  assertEquals(resolve("kimi-k2-thinking").upstreamModel, "kimi-k2-thinking");
  assertEquals(resolve("moonshotai/kimi-k2-thinking").ir.reasoning, undefined);
  const re = { thinkingBlacklist: ["re:^claude-.*-thinking$", "re:["] };
  assertEquals(resolve("claude-sonnet-4-5-thinking", {}, re).upstreamModel, "claude-sonnet-4-5-thinking");
  assertEquals(resolve("o3-mini-high", {}, re).upstreamModel, "o3-mini", "a bad pattern is ignored");
});

Deno.test("deepseek_v4_none_and_max", () => {
  assertEquals(resolve("deepseek-v4-flash-none").ir.reasoning, { enabled: false });
  assertEquals(resolve("deepseek-v4-flash-max").ir.reasoning, { enabled: true, effort: "max" });
  assertEquals(resolve("deepseek-chat-max").upstreamModel, "deepseek-chat-max");
});

Deno.test("a suffix resolved into the IR reaches the upstream body", () => {
  const tr = translation("openai_chat", "claude");
  const ir = tr.decodeRequest({
    model: "claude-sonnet-4-5-thinking",
    messages: [{ role: "user", content: "q" }],
    temperature: 0,
  });
  const body = tr.encodeRequest(applyModelSuffix(ir.model, ir).ir) as Record<string, unknown>;
  assertEquals([body.model, body.max_tokens, body.thinking, body.temperature], [
    "claude-sonnet-4-5",
    8192,
    { type: "enabled", budget_tokens: 6553 },
    1,
  ]);
});
