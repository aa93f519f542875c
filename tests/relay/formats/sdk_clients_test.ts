/**
 * The official SDKs read our translated streams: each client's own stream accumulator (Anthropic
 * MessageStream, OpenAI ChatCompletionStream and ResponseStream, Google GenAI) consumes encoder output
 * served by an in-process fetch, and ends with the right content, tool calls and usage.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { GoogleGenAI } from "@google/genai";
import type { Dialect } from "../../../relay/formats/ir.ts";
import { translation } from "../../../relay/formats/translate.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { writeSseTranscript } from "../../support/sse_fixture.ts";
import { ENCODE_OPTS, fixtureStream } from "./conformance/matrix.ts";

function sse(client: Dialect, upstream: Dialect, name: string): string {
  const t = translation(client, upstream).streamTranslator(ENCODE_OPTS);
  return writeSseTranscript(fixtureStream(upstream, name).flatMap((e) => t.push(e)).concat(t.end()));
}

const serve = (body: string) => () =>
  Promise.resolve(new Response(body, { headers: { "content-type": "text/event-stream" } }));

Deno.test("Anthropic SDK accumulates a Gemini answer translated to Claude", async () => {
  const client = new Anthropic({
    apiKey: "k",
    baseURL: "http://relay.test",
    fetch: serve(sse("claude", "gemini", "parallel_tools")),
  });
  const msg = await client.messages.stream({
    model: "m",
    max_tokens: 10,
    messages: [{ role: "user", content: "q" }],
  }).finalMessage();
  assertEquals(msg.stop_reason, "tool_use");
  assertEquals(msg.content.map((b) => b.type === "tool_use" ? [b.name, b.input] : [b.type]), [
    ["get_weather", { city: "Oslo" }],
    ["get_weather", { city: "Lima" }],
  ]);
  assertEquals([msg.usage.input_tokens, msg.usage.output_tokens], [140, 36]);
});

Deno.test("Anthropic SDK keeps thinking and its signature from an OpenAI Responses upstream", async () => {
  const client = new Anthropic({
    apiKey: "k",
    baseURL: "http://relay.test",
    fetch: serve(sse("claude", "openai_responses", "thinking")),
  });
  const msg = await client.messages.stream({
    model: "m",
    max_tokens: 10,
    messages: [{ role: "user", content: "q" }],
  }).finalMessage();
  const [thinking, text] = msg.content;
  assert(thinking.type === "thinking" && text.type === "text");
  assertEquals([thinking.thinking, text.text], ["Compare tenths: 8 > 1", "9.8 is greater."]);
  assert(thinking.signature.length > 0, "signature envelope delivered");
});

Deno.test("OpenAI SDK ChatCompletionStream assembles calls translated from Claude", async () => {
  const client = new OpenAI({
    apiKey: "k",
    baseURL: "http://relay.test/v1",
    fetch: serve(sse("openai_chat", "claude", "parallel_tools")),
  });
  const done = await client.chat.completions.stream({
    model: "m",
    messages: [{ role: "user", content: "q" }],
  }).finalChatCompletion();
  const msg = done.choices[0].message;
  assertEquals(done.choices[0].finish_reason, "tool_calls");
  assertEquals(msg.content, "Checking both.");
  assertEquals(msg.tool_calls?.map((c) => c.type === "function" ? [c.id, c.function.arguments] : []), [
    ["toolu_01A", '{"city":"Oslo"}'],
    ["toolu_01B", '{"city":"Lima"}'],
  ]);
  assertEquals(done.usage?.prompt_tokens, 140);
});

Deno.test("OpenAI SDK ResponseStream reads a Claude answer with reasoning", async () => {
  const client = new OpenAI({
    apiKey: "k",
    baseURL: "http://relay.test/v1",
    fetch: serve(sse("openai_responses", "claude", "thinking")),
  });
  const res = await client.responses.stream({ model: "m", input: "q" }).finalResponse();
  assertEquals(res.status, "completed");
  assertEquals(res.output_text, "9.8 is greater.");
  assertEquals(res.output.map((o) => o.type), ["reasoning", "reasoning", "message"]);
  assertEquals(res.usage?.output_tokens, 30);
});

Deno.test("Google GenAI SDK streams a Claude answer translated to Gemini", async () => {
  const realFetch = globalThis.fetch;
  globalThis.fetch = serve(sse("gemini", "claude", "tool_result"));
  try {
    const ai = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: "http://relay.test" } });
    const chunks = [];
    for await (
      const c of await ai.models.generateContentStream({ model: "gemini-2.5-flash", contents: "q" })
    ) chunks.push(c);
    const last = chunks.at(-1)!;
    assertEquals(last.functionCalls?.map((f) => [f.id, f.name, f.args]), [["toolu_01A", "get_weather", {
      city: "Oslo",
    }]]);
    assertEquals(last.candidates?.[0].finishReason, "STOP");
    assertEquals(last.usageMetadata?.promptTokenCount, 120);
  } finally {
    globalThis.fetch = realFetch;
  }
});
