/** The official `@anthropic-ai/sdk`, pointed straight at the fake upstream, parses what it answers. */

import Anthropic from "@anthropic-ai/sdk";
import { type FakeUpstream, startFakeUpstream } from "./mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

async function withClaude(fn: (client: Anthropic, fake: FakeUpstream) => Promise<void>) {
  const fake = await startFakeUpstream();
  const client = new Anthropic({ apiKey: "sk-ant-fake", baseURL: fake.url, maxRetries: 0 });
  try {
    await fn(client, fake);
  } finally {
    await fake.close();
  }
}

const weatherTool = {
  name: "get_weather",
  description: "Current weather",
  input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] },
};

Deno.test("anthropic SDK: non-stream message with usage and the SDK's headers", () =>
  withClaude(async (client, fake) => {
    const msg = await client.messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: 256,
      system: "Be brief.",
      messages: [{ role: "user", content: "Hello Claude" }],
    });
    assertEquals(msg.type, "message");
    assertEquals(msg.stop_reason, "end_turn");
    assertEquals(msg.content[0].type, "text");
    assert((msg.content[0] as { text: string }).text.startsWith("Hello Claude"));
    assertEquals(msg.usage.output_tokens, 5);
    const req = fake.lastRequest()!;
    // This SDK version sends the key as a Bearer token; the fake accepts it there or in x-api-key.
    assertEquals(
      req.headers.get("x-api-key") ?? req.headers.get("authorization"),
      req.headers.has("x-api-key") ? "sk-ant-fake" : "Bearer sk-ant-fake",
    );
    assert(req.headers.get("anthropic-version"));
  }));

Deno.test("anthropic SDK: the stream's event sequence builds the same message", () =>
  withClaude(async (client) => {
    const params = {
      model: "claude-sonnet-4-6",
      max_tokens: 2048,
      thinking: { type: "enabled" as const, budget_tokens: 1024 },
      messages: [{ role: "user" as const, content: "Think, then answer" }],
    };
    const whole = await client.messages.create(params);
    const stream = client.messages.stream(params);
    const events: string[] = [];
    stream.on("streamEvent", (e) => events.push(e.type));
    const final = await stream.finalMessage();
    assertEquals(final.content, whole.content);
    assertEquals(final.usage.output_tokens, whole.usage.output_tokens);
    assertEquals(final.content[0].type, "thinking");
    assert(
      (final.content[0] as { signature: string }).signature.startsWith("EqQB"),
      JSON.stringify(final.content[0]),
    );
    assertEquals(events[0], "message_start");
    assertEquals(events.at(-1), "message_stop");
    assertEquals(events.at(-2), "message_delta");
    assert(events.includes("content_block_delta"), events.join());
  }));

Deno.test("anthropic SDK: parallel tool_use blocks with streamed input_json_delta", () =>
  withClaude(async (client) => {
    const params = {
      model: "claude-sonnet-4-6",
      max_tokens: 512,
      tools: [weatherTool],
      messages: [{ role: "user" as const, content: "Oslo and Lima? [fake:calls=2]" }],
    };
    const whole = await client.messages.create(params);
    assertEquals(whole.stop_reason, "tool_use");
    const uses = whole.content.filter((b) => b.type === "tool_use");
    assertEquals(uses.length, 2);
    assertEquals(typeof (uses[0] as { input: { city: string } }).input.city, "string");
    const streamed = await client.messages.stream(params).finalMessage();
    assertEquals(streamed.content, whole.content);

    const answer = await client.messages.create({
      ...params,
      messages: [
        ...params.messages,
        { role: "assistant", content: whole.content },
        {
          role: "user",
          content: uses.map((u) => ({
            type: "tool_result" as const,
            tool_use_id: (u as { id: string }).id,
            content: "3 C",
          })),
        },
      ],
    });
    assertEquals(answer.stop_reason, "end_turn");
  }));

Deno.test("anthropic SDK: count_tokens and cache usage directives", () =>
  withClaude(async (client) => {
    const count = await client.messages.countTokens({
      model: "claude-sonnet-4-6",
      messages: [{ role: "user", content: "Count these tokens please" }],
    });
    assert(count.input_tokens > 0);
    const msg = await client.messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: 64,
      messages: [{ role: "user", content: "A long cached prompt [fake:cache_read=3] with more words here" }],
    });
    assertEquals(msg.usage.cache_read_input_tokens, 3);
    assert(msg.usage.input_tokens > 0);
  }));

Deno.test("anthropic SDK: Claude-shaped errors become the SDK's typed errors", () =>
  withClaude(async (client) => {
    for (
      const [model, ErrorClass] of [
        ["fault-401", Anthropic.AuthenticationError],
        ["fault-429", Anthropic.RateLimitError],
        ["fault-529", Anthropic.InternalServerError],
      ] as const
    ) {
      try {
        await client.messages.create({ model, max_tokens: 8, messages: [{ role: "user", content: "x" }] });
        throw new Error("expected an error");
      } catch (err) {
        assert(err instanceof ErrorClass, `${model}: ${err}`);
      }
    }
  }));

Deno.test("anthropic SDK: an in-stream error event fails the stream", () =>
  withClaude(async (client) => {
    const stream = client.messages.stream({
      model: "claude-sonnet-4-6-fault-error-3",
      max_tokens: 64,
      messages: [{ role: "user", content: "x" }],
    });
    try {
      await stream.finalMessage();
      throw new Error("expected an error");
    } catch (err) {
      assert(err instanceof Anthropic.APIError, String(err));
      assert(String(err).includes("Overloaded"), String(err));
    }
  }));
