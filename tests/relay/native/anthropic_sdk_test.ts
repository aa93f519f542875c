/**
 * The official `@anthropic-ai/sdk` against the gateway's `/v1/messages`: an OpenAI channel (translated)
 * and a Claude channel (passed through) give valid Messages answers and streams — text, `tool_use` blocks
 * built from streamed `input_json_delta`, thinking with its signature — equal in content to what the fake
 * answers the upstream request straight; token counting, the model list and errors in Claude's shape.
 */
import Anthropic from "@anthropic-ai/sdk";
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { anthropicGateway, settled, userQuota } from "../../support/relay.ts";
import { nativeSetup, replay } from "../../support/native_relay.ts";
import { CODECS } from "../../../relay/formats/translate.ts";
import type { Dialect } from "../../../relay/formats/ir.ts";

const weather: Anthropic.Tool = {
  name: "get_weather",
  description: "Weather for a city",
  input_schema: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } } },
};
const clock: Anthropic.Tool = {
  name: "get_time",
  input_schema: { type: "object", properties: { zone: { type: "string" } } },
};

/** What the fake says to the request the gateway sent it, as the upstream's codec reads it. */
async function reference(fake: Awaited<ReturnType<typeof startFakeUpstream>>, dialect: Dialect) {
  const sent = fake.lastRequest()!;
  const res = await replay(fake, { ...sent, url: stripStream(sent.url) } as typeof sent);
  const body = { ...sent.json };
  return CODECS[dialect].decodeResponse(await res.json().catch(() => body));
}

/** The same request without streaming (the reference is read whole). */
function stripStream(url: URL): URL {
  const u = new URL(url);
  u.pathname = u.pathname.replace(":streamGenerateContent", ":generateContent");
  u.searchParams.delete("alt");
  return u;
}

/** The parts of an SDK APIError the tests read (its `error` is the parsed body). */
type ClaudeApiError = {
  status: number;
  requestID?: string;
  error: { type: string; error: { type: string; message: string } };
};

function blocks(msg: Anthropic.Message) {
  return msg.content.map((b) => {
    if (b.type === "text") return ["text", b.text];
    if (b.type === "tool_use") return ["tool_use", b.name, b.input];
    if (b.type === "thinking") return ["thinking", b.thinking];
    return [b.type];
  });
}

for (const upstream of [{ kind: "openai", model: "chat-openai" }, { kind: "claude", model: "chat-claude" }]) {
  appTest(`the Anthropic SDK reaches a ${upstream.kind} channel: text, tools, thinking`, async (h) => {
    await using fake = await startFakeUpstream();
    const s = await nativeSetup(h, fake);
    const gw = anthropicGateway(h, s.key);
    const model = upstream.model;
    const dialect: Dialect = upstream.kind === "openai" ? "openai_chat" : "claude";

    // Text, with a system prompt.
    const params = {
      model,
      max_tokens: 256,
      system: "Be brief.",
      messages: [{ role: "user" as const, content: "Describe the harbor at dawn" }],
    };
    const before = await userQuota(h, s.userId);
    const msg = await gw.messages.create(params);
    const sent = fake.lastRequest()!;
    assertEquals(sent.path, upstream.kind === "openai" ? "/v1/chat/completions" : "/v1/messages");
    if (upstream.kind === "claude") {
      // Same dialect: the client's bytes, only the key swapped.
      assertEquals(sent.json, params);
      assertEquals(sent.headers.get("x-api-key"), "key-claude");
      assertEquals(sent.headers.get("authorization"), null);
      assert(
        /^\d{4}-\d\d-\d\d$/.test(sent.headers.get("anthropic-version")!),
        "the client's version passed on",
      );
    } else {
      assertEquals(sent.json.messages[0], { role: "system", content: "Be brief." });
    }
    const ref = await reference(fake, dialect);
    assertEquals(msg.type, "message");
    assertEquals(msg.role, "assistant");
    assertEquals(msg.model, model);
    assertEquals(blocks(msg), [["text", (ref.content[0] as { text: string }).text]]);
    assert(msg.content[0].type === "text" && msg.content[0].text.startsWith("Describe the harbor at"));
    assertEquals(msg.stop_reason, "end_turn");
    assertEquals([msg.usage.input_tokens, msg.usage.output_tokens], [
      ref.usage!.inputTokens,
      ref.usage!.outputTokens,
    ]);
    await settled(h);
    const charged = before - await userQuota(h, s.userId);
    assertEquals(charged, msg.usage.input_tokens + 2 * msg.usage.output_tokens);

    // The same as a stream: the SDK's accumulator ends with the same message.
    const streamed = await gw.messages.stream(params).finalMessage();
    assertEquals(blocks(streamed), blocks(msg));
    assertEquals([streamed.stop_reason, streamed.usage.output_tokens], ["end_turn", msg.usage.output_tokens]);

    // Parallel tool calls: tool_use blocks, and the same assembled from input_json_delta events.
    const toolParams = {
      model,
      max_tokens: 256,
      tools: [weather, clock],
      messages: [{ role: "user" as const, content: "Weather in Oslo and the time in Lima? [fake:calls=2]" }],
    };
    const called = await gw.messages.create(toolParams);
    const refCalls = (await reference(fake, dialect)).content.flatMap((p) =>
      p.type === "tool_call" ? [["tool_use", p.name, JSON.parse(p.arguments)]] : []
    );
    assertEquals(called.stop_reason, "tool_use");
    assertEquals(blocks(called), refCalls);
    assertEquals(refCalls.length, 2);
    assert(called.content.every((b) => b.type !== "tool_use" || /^[A-Za-z0-9_-]+$/.test(b.id)));
    const deltas: string[] = [];
    const stream = gw.messages.stream(toolParams);
    stream.on("streamEvent", (ev) => {
      if (ev.type === "content_block_delta" && ev.delta.type === "input_json_delta") {
        deltas.push(ev.delta.partial_json);
      }
    });
    const final = await stream.finalMessage();
    assertEquals(blocks(final), refCalls);
    assertEquals(final.stop_reason, "tool_use");
    assert(deltas.join("").length > 0, "arguments arrived as input_json_delta");

    // Thinking: the client asks for it; the answer carries thinking (signed) then text.
    const thinkParams = {
      model,
      max_tokens: 2048,
      thinking: { type: "enabled" as const, budget_tokens: 1024 },
      messages: [{ role: "user" as const, content: "Which is larger, 9.8 or 9.11?" }],
    };
    const thought = await gw.messages.create(thinkParams);
    const sentThink = fake.lastRequest()!.json;
    if (upstream.kind === "openai") assertEquals(sentThink.reasoning_effort, "low");
    else assertEquals(sentThink.thinking, { type: "enabled", budget_tokens: 1024 });
    const refThought = await reference(fake, dialect);
    const reasoning = refThought.content.find((p) => p.type === "reasoning")!;
    assertEquals(thought.content.map((b) => b.type), ["thinking", "text"]);
    assert(thought.content[0].type === "thinking");
    assertEquals(thought.content[0].thinking, reasoning.text);
    if (upstream.kind === "claude") assertEquals(thought.content[0].signature, reasoning.signature);
    const thoughtStream = await gw.messages.stream(thinkParams).finalMessage();
    assertEquals(blocks(thoughtStream), blocks(thought));
    await settled(h);
  });
}

appTest("count_tokens: counted here for an OpenAI channel, passed through to a Claude channel", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake);
  const gw = anthropicGateway(h, s.key);
  const before = await userQuota(h, s.userId);
  const body = {
    system: "Be brief.",
    messages: [{ role: "user" as const, content: "How many tokens is this sentence?" }],
    tools: [weather],
  };
  const local = await gw.messages.countTokens({ model: "chat-openai", ...body });
  assert(local.input_tokens > 10 && local.input_tokens < 200, `counted ${local.input_tokens}`);
  assertEquals(fake.requestCount, 0);
  const native = await gw.messages.countTokens({ model: "chat-claude", ...body });
  assertEquals(fake.lastRequest()!.path, "/v1/messages/count_tokens");
  assertEquals(fake.lastRequest()!.json, { model: "chat-claude", ...body });
  const direct = new Anthropic({ apiKey: "k", baseURL: fake.url, maxRetries: 0 });
  assertEquals(native, await direct.messages.countTokens({ model: "chat-claude", ...body }));
  // A failing native count falls back to the local count; counting is never billed.
  fake.script({ status: 500, path: "/v1/messages/count_tokens" });
  const fallback = await gw.messages.countTokens({ model: "chat-claude", ...body });
  assertEquals(fallback.input_tokens, local.input_tokens);
  assertEquals(await userQuota(h, s.userId), before);
  // Bad bodies are Claude-shaped 400s.
  const bad = await h.call("POST", "/v1/messages/count_tokens", { model: "chat-claude", messages: "hi" }, {
    "x-api-key": s.key,
  });
  assertEquals(bad.status, 400);
  assertEquals((await bad.json()).error.type, "invalid_request_error");
});

appTest("the model list in Anthropic's shape, and errors with request-id in Claude's shape", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake);
  const gw = anthropicGateway(h, s.key);
  const ids: string[] = [];
  for await (const m of gw.models.list()) {
    assertEquals(m.type, "model");
    assertEquals(m.created_at, "2021-07-20T10:40:00Z");
    ids.push(m.id);
  }
  assert(ids.includes("chat-claude") && ids.includes("chat-openai"));
  assertEquals((await gw.models.retrieve("chat-gemini")).display_name, "chat-gemini");

  const wrong = anthropicGateway(h, "sk-wrong");
  const err = await wrong.messages.create({
    model: "chat-claude",
    max_tokens: 10,
    messages: [{ role: "user", content: "hi" }],
  }).catch((e) => e);
  assert(err instanceof Anthropic.AuthenticationError, String(err));
  const e401 = err as unknown as ClaudeApiError;
  assertEquals(e401.status, 401);
  assertEquals(e401.error.type, "error");
  assertEquals(e401.error.error.type, "authentication_error");
  assert(e401.requestID && e401.error.error.message.endsWith(`(request id: ${e401.requestID})`));

  const missing = await gw.messages.create({
    model: "no-such-model",
    max_tokens: 10,
    messages: [{ role: "user", content: "hi" }],
  }).catch((e) => e);
  assert(missing instanceof Anthropic.NotFoundError, String(missing));
  assertEquals((missing as unknown as ClaudeApiError).error.error.type, "not_found_error");

  // An upstream overload reaches the client as Claude's 529 overloaded_error.
  fake.script({ status: 529, path: "/v1/messages" });
  const overloaded = await gw.messages.create({
    model: "chat-claude",
    max_tokens: 10,
    messages: [{ role: "user", content: "hi" }],
  }).catch((e) => e);
  assertEquals(overloaded.status, 529);
  assertEquals(overloaded.error.error.type, "overloaded_error");
  await settled(h);
});
