/**
 * Usage normalisation per dialect into IrUsage (disjoint counters: input excludes cache; output includes
 * reasoning), and back out, named after the billing bugs peers shipped (§5.10–5.12).
 */
import { chatUsageToIr, irUsageToChat } from "../../../relay/formats/openai_chat/usage.ts";
import { claudeUsageToIr, irUsageToClaude } from "../../../relay/formats/claude/usage.ts";
import { geminiUsageToIr, irUsageToGemini } from "../../../relay/formats/gemini/usage.ts";
import { irUsageToResponses, responsesUsageToIr } from "../../../relay/formats/openai_responses/usage.ts";
import { promptTokens, totalTokens } from "../../../relay/formats/ir.ts";
import { translation } from "../../../relay/formats/translate.ts";
import { assertEquals } from "../../support/assert.ts";
import { parseSseTranscript } from "../../support/sse_fixture.ts";

Deno.test("openai_prompt_tokens_include_cache (§5.10)", () => {
  const wire = {
    prompt_tokens: 2140,
    completion_tokens: 96,
    total_tokens: 2236,
    prompt_tokens_details: { cached_tokens: 1920 },
    completion_tokens_details: { reasoning_tokens: 64 },
  };
  const u = chatUsageToIr(wire);
  assertEquals(u, {
    inputTokens: 220,
    cacheReadTokens: 1920,
    cacheWriteTokens: 0,
    outputTokens: 96,
    reasoningTokens: 64,
  });
  assertEquals([promptTokens(u), totalTokens(u)], [2140, 2236]);
  assertEquals(irUsageToChat(u), wire);
  assertEquals(
    chatUsageToIr({ prompt_tokens: 20, completion_tokens: 5, prompt_cache_hit_tokens: 12 }).inputTokens,
    8,
    "DeepSeek",
  );
  assertEquals(
    chatUsageToIr({
      prompt_tokens: 100,
      prompt_tokens_details: { cached_tokens: 10, cache_write_tokens: 30 },
    }).inputTokens,
    60,
  );
});

Deno.test("claude_input_tokens_exclude_cache_reads_and_writes (§5.10)", () => {
  const wire = {
    input_tokens: 220,
    cache_creation_input_tokens: 100,
    cache_read_input_tokens: 1920,
    cache_creation: { ephemeral_5m_input_tokens: 40, ephemeral_1h_input_tokens: 60 },
    output_tokens: 180,
  };
  const u = claudeUsageToIr(wire);
  assertEquals(u, {
    inputTokens: 220,
    cacheReadTokens: 1920,
    cacheWriteTokens: 100,
    cacheWrite5mTokens: 40,
    cacheWrite1hTokens: 60,
    outputTokens: 180,
    reasoningTokens: 0,
  });
  assertEquals(irUsageToClaude(u), wire);
  // Anthropic → OpenAI: prompt_tokens = input + cache_read + cache_creation, cached_tokens = cache_read.
  const chat = irUsageToChat(u) as {
    prompt_tokens: number;
    prompt_tokens_details: { cached_tokens: number };
  };
  assertEquals([chat.prompt_tokens, chat.prompt_tokens_details.cached_tokens], [2240, 1920]);
  // OpenAI → Anthropic: input_tokens = prompt − cached.
  assertEquals(
    irUsageToClaude(chatUsageToIr({ prompt_tokens: 2140, prompt_tokens_details: { cached_tokens: 1920 } }))
      .input_tokens,
    220,
  );
});

Deno.test("gemini_thoughts_are_added_to_output_and_cache_taken_out_of_input (§5.10, §5.11)", () => {
  const wire = {
    promptTokenCount: 80,
    cachedContentTokenCount: 30,
    candidatesTokenCount: 26,
    thoughtsTokenCount: 76,
    totalTokenCount: 182,
  };
  const u = geminiUsageToIr(wire);
  assertEquals(u, {
    inputTokens: 50,
    cacheReadTokens: 30,
    cacheWriteTokens: 0,
    outputTokens: 102,
    reasoningTokens: 76,
  });
  assertEquals(irUsageToGemini(u), wire);
  const chat = irUsageToChat(u) as {
    completion_tokens: number;
    completion_tokens_details: { reasoning_tokens: number };
  };
  assertEquals([chat.completion_tokens, chat.completion_tokens_details.reasoning_tokens], [102, 76]);
  assertEquals(geminiUsageToIr({ promptTokenCount: 10, toolUsePromptTokenCount: 5 }).inputTokens, 15);
});

Deno.test("responses_usage_includes_cache_and_reasoning_like_chat", () => {
  const wire = {
    input_tokens: 2140,
    input_tokens_details: { cached_tokens: 1920 },
    output_tokens: 310,
    output_tokens_details: { reasoning_tokens: 256 },
    total_tokens: 2450,
  };
  const u = responsesUsageToIr(wire);
  assertEquals([u.inputTokens, u.cacheReadTokens, u.outputTokens, u.reasoningTokens], [220, 1920, 310, 256]);
  assertEquals(irUsageToResponses(u), wire);
});

Deno.test("claude_message_delta_usage_is_assigned_never_summed (One API #415)", () => {
  const stream = parseSseTranscript([
    'event: message_start\ndata: {"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":220,"cache_read_input_tokens":1920,"output_tokens":1}}}',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":90}}',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":220,"cache_read_input_tokens":1920,"output_tokens":180}}',
    'event: message_stop\ndata: {"type":"message_stop"}',
  ].join("\n\n"));
  const t = translation("openai_chat", "claude").streamTranslator({ includeUsage: true });
  stream.forEach((e) => t.push(e));
  assertEquals(t.usage, {
    inputTokens: 220,
    cacheReadTokens: 1920,
    cacheWriteTokens: 0,
    outputTokens: 180,
    reasoningTokens: 0,
  });
});

Deno.test("gemini_stream_usage_is_a_snapshot_the_last_one_wins (§4.4)", () => {
  const chunk = (n: number) => ({
    data: JSON.stringify({
      candidates: [{ content: { role: "model", parts: [{ text: "x" }] } }],
      usageMetadata: { promptTokenCount: 7, candidatesTokenCount: n, totalTokenCount: 7 + n },
    }),
  });
  const t = translation("openai_chat", "gemini").streamTranslator();
  [chunk(1), chunk(4), chunk(6)].forEach((e) => t.push(e));
  assertEquals(t.usage?.outputTokens, 6);
});

Deno.test("non-stream answers hand the usage to bill to the caller, passthrough included", () => {
  const body = { id: "x", choices: [], usage: { prompt_tokens: 10, completion_tokens: 3 } };
  assertEquals(translation("openai_chat", "openai_chat").translateResponse(body).usage?.inputTokens, 10);
  assertEquals(translation("claude", "openai_chat").translateResponse(body).usage?.outputTokens, 3);
});
