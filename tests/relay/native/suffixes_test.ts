/**
 * New API's reasoning suffixes on native routes, under its settings (`claude.thinking_adapter_*`,
 * `gemini.thinking_adapter_*`): `claude-…-thinking` becomes extended thinking with 80% of max_tokens,
 * `gemini-…-thinking-<budget>` / `-nothinking` a thinkingConfig (only with the Gemini adapter on, its
 * default being off), `o4-mini-high` an effort; and a channel's `thinking_to_content` shows reasoning as
 * `<think>` content to OpenAI Chat clients only.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, gatewayClient, relaySetup, settled } from "../../support/relay.ts";
import { parseSseTranscript } from "../../support/sse_fixture.ts";
import { saveOptions } from "../../../store/options.ts";

const MODELS = [
  "claude-sonnet-4-5-thinking",
  "gemini-2.5-flash-thinking-512",
  "gemini-2.5-flash-nothinking",
  "o4-mini-high",
  "chat-claude",
  // New API prices every `gemini-2.5-flash-thinking-<budget>` under one wildcard name.
  "gemini-2.5-flash-thinking-*",
];
const priced = JSON.stringify(Object.fromEntries(MODELS.map((m) => [m, 1])));

appTest("reasoning suffixes on Claude and Gemini routes follow New API's thinking adapters", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    options: { ModelRatio: priced, CompletionRatio: priced },
    channels: [
      fakeChannel(fake.url, { type: 14, models: "claude-sonnet-4-5-thinking" }),
      fakeChannel(fake.url, {
        type: 24,
        models: "gemini-2.5-flash-thinking-512,gemini-2.5-flash-nothinking",
      }),
      fakeChannel(fake.url, { type: 1, models: "o4-mini-high" }),
    ],
  });
  const claude = (model: string, body: Record<string, unknown> = {}) =>
    h.call("POST", "/v1/messages", {
      model,
      max_tokens: 4000,
      temperature: 0.3,
      messages: [{ role: "user", content: "Think it over" }],
      ...body,
    }, { "x-api-key": s.key });
  const gemini = (model: string) =>
    h.call("POST", `/v1beta/models/${model}:generateContent`, {
      contents: [{ role: "user", parts: [{ text: "Think it over" }] }],
    }, { "x-goog-api-key": s.key });

  const thought = await (await claude("claude-sonnet-4-5-thinking")).json();
  let sent = fake.lastRequest()!.json;
  assertEquals(sent.model, "claude-sonnet-4-5");
  assertEquals(sent.thinking, { type: "enabled", budget_tokens: 3200 });
  assertEquals(sent.temperature, 1);
  assertEquals(thought.content[0].type, "thinking");

  // Gemini's adapter is off by default: the name goes upstream as it is.
  assertEquals((await gemini("gemini-2.5-flash-thinking-512")).status, 200);
  assertEquals(fake.lastRequest()!.path, "/v1beta/models/gemini-2.5-flash-thinking-512:generateContent");
  await saveOptions(h.deps.db, {
    "gemini.thinking_adapter_enabled": "true",
    "claude.thinking_adapter_enabled": "false",
  });
  await h.deps.cache.publish({ kind: "options" });
  const g = await (await gemini("gemini-2.5-flash-thinking-512")).json();
  assertEquals(fake.lastRequest()!.path, "/v1beta/models/gemini-2.5-flash:generateContent");
  assertEquals(fake.lastRequest()!.json.generationConfig.thinkingConfig, {
    thinkingBudget: 512,
    includeThoughts: true,
  });
  assert(g.candidates[0].content.parts[0].thought, "thoughts returned");
  assertEquals((await gemini("gemini-2.5-flash-nothinking")).status, 200);
  assertEquals(fake.lastRequest()!.path, "/v1beta/models/gemini-2.5-flash:generateContent");
  assertEquals(fake.lastRequest()!.json.generationConfig.thinkingConfig, { thinkingBudget: 0 });
  // And with Claude's adapter off, the suffix is part of the name.
  assertEquals((await claude("claude-sonnet-4-5-thinking")).status, 200);
  sent = fake.lastRequest()!.json;
  assertEquals([sent.model, sent.thinking], ["claude-sonnet-4-5-thinking", undefined]);

  // An OpenAI effort suffix from a Claude client.
  assertEquals((await claude("o4-mini-high")).status, 200);
  sent = fake.lastRequest()!.json;
  assertEquals([sent.model, sent.reasoning_effort], ["o4-mini", "high"]);
  await settled(h);
});

appTest("thinking_to_content shows reasoning as <think> content to OpenAI Chat clients only", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    options: { ModelRatio: priced, CompletionRatio: priced },
    channels: [
      fakeChannel(fake.url, {
        type: 14,
        models: "chat-claude",
        setting: JSON.stringify({ thinking_to_content: true }),
      }),
    ],
  });
  const gw = gatewayClient(h, s.key);
  const ask = { model: "chat-claude", messages: [{ role: "user" as const, content: "Weigh 9.8 and 9.11" }] };
  const whole = await gw.chat.completions.create({ ...ask, reasoning_effort: "low" });
  const content = whole.choices[0].message.content!;
  const m = /^<think>\n(.+)\n<\/think>\n(.+)$/s.exec(content);
  assert(m, content);
  const chunks = [];
  for await (const c of await gw.chat.completions.create({ ...ask, reasoning_effort: "low", stream: true })) {
    chunks.push(c);
  }
  assertEquals(chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), content);
  assert(chunks.every((c) => !(c.choices[0]?.delta as { reasoning_content?: string })?.reasoning_content));

  // A Claude client on the same channel keeps its thinking block.
  const res = await h.call("POST", "/v1/messages", {
    model: "chat-claude",
    max_tokens: 2048,
    stream: true,
    thinking: { type: "enabled", budget_tokens: 1024 },
    messages: ask.messages,
  }, { "x-api-key": s.key });
  const events = parseSseTranscript(await res.text()).map((e) => JSON.parse(e.data));
  assertEquals(events.find((e) => e.type === "content_block_start").content_block.type, "thinking");
  assert(!events.some((e) => e.delta?.text?.includes("<think>")), "no <think> for Claude clients");
  await settled(h);
});
