/**
 * Cohere channels (type 34) through the real HTTP path: OpenAI, Claude, Responses and Gemini clients reach
 * Cohere's v2 Chat API on a fake that speaks its wire format (named SSE events), tool calls and usage with
 * cached tokens come back translated and billed, errors in the caller's dialect; rerank passes through;
 * fetch_models reads Cohere's model list.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { providerSetup, settled, streamedChat } from "../../support/relay.ts";
import { expectedQuota } from "../../support/native_relay.ts";
import { cast } from "../../support/console_client.ts";
import { startFakeCohere } from "../../fake_upstream/cohere.ts";
import { asInt } from "../../../store/db.ts";

const MODEL = "cohere-chat";
const CHANNEL = { type: 34, key: "co-key-123456" };
const PRICED = { models: [MODEL, "fault-429", "rerank-v3.5"], ratios: { CacheRatio: 0.25 } };

appTest("Cohere: every client dialect reaches v2 chat, streams, tools and cached usage", async (h) => {
  await using fake = await startFakeCohere({ key: "co-key-123456" });
  const s = await providerSetup(h, fake.url, CHANNEL, PRICED);
  const { gw, claude } = s;
  const messages = [
    { role: "system" as const, content: "Be brief." },
    { role: "user" as const, content: "Describe the sea [fake:cache_read=3]" },
  ];
  const answer = await gw.chat.completions.create({ model: MODEL, messages, max_tokens: 100, top_p: 0.5 });
  const sent = fake.lastRequest()!;
  assertEquals(sent.path, "/v2/chat");
  assertEquals(sent.headers.get("authorization"), "Bearer co-key-123456");
  assertEquals(sent.json.messages[0], { role: "system", content: "Be brief." });
  assertEquals([sent.json.max_tokens, sent.json.p], [100, 0.5]);
  assert(answer.choices[0].message.content!.startsWith("Describe the sea"));
  assertEquals(answer.usage!.prompt_tokens_details?.cached_tokens, 3);
  const text = answer.choices[0].message.content;
  const viaStream = await streamedChat(gw, { model: MODEL, messages });
  assertEquals(fake.lastRequest()!.json.stream, true);
  assertEquals(viaStream.text, text);
  assertEquals(viaStream.usage?.completion_tokens, answer.usage!.completion_tokens);

  const tools = {
    model: MODEL,
    messages: [{ role: "user" as const, content: "Two cities [fake:calls=2] [fake:reasoning]" }],
    tools: [{
      type: "function" as const,
      function: {
        name: "get_weather",
        parameters: { type: "object", properties: { city: { type: "string" } } },
      },
    }],
  };
  const called = await gw.chat.completions.create(tools);
  assertEquals(fake.lastRequest()!.json.tools[0].function.name, "get_weather");
  assertEquals(called.choices[0].finish_reason, "tool_calls");
  assertEquals(called.choices[0].message.tool_calls!.length, 2);
  const streamed = await gw.chat.completions.stream(tools).finalChatCompletion();
  const shape = (c: typeof called) =>
    c.choices[0].message.tool_calls!.map((t) =>
      t.type === "function" ? [t.id, t.function.name, JSON.parse(t.function.arguments)] : []
    );
  assertEquals(shape(streamed), shape(called));
  // The results go back as `tool` messages naming the calls.
  await gw.chat.completions.create({
    ...tools,
    messages: [
      ...tools.messages,
      called.choices[0].message,
      ...called.choices[0].message.tool_calls!.map((c) => ({
        role: "tool" as const,
        tool_call_id: c.id,
        content: "sunny",
      })),
    ],
  });
  const back = fake.lastRequest()!.json.messages;
  assertEquals(back[1].tool_calls.length, 2);
  assertEquals(back[2], {
    role: "tool",
    tool_call_id: called.choices[0].message.tool_calls![0].id,
    content: "sunny",
  });

  // Claude, Responses and Gemini clients.
  const msg = await claude.messages.create({
    model: MODEL,
    max_tokens: 100,
    messages: [{ role: "user", content: "Describe the sea [fake:cache_read=3]" }],
  });
  assertEquals(msg.content[0].type === "text" ? msg.content[0].text : "", text);
  assertEquals(msg.usage.cache_read_input_tokens, 3);
  const final = await claude.messages.stream({
    model: MODEL,
    max_tokens: 100,
    messages: [{ role: "user", content: "Describe the sea [fake:cache_read=3]" }],
  }).finalMessage();
  assertEquals(final.content[0].type === "text" ? final.content[0].text : "", text);
  assertEquals(final.stop_reason, "end_turn");
  const r = await gw.responses.create({ model: MODEL, input: "Describe the sea [fake:cache_read=3]" });
  assertEquals(r.output_text, text);
  const gem = await h.call("POST", `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
    contents: [{ role: "user", parts: [{ text: "Describe the sea [fake:cache_read=3]" }] }],
  }, { "x-goog-api-key": s.key });
  const parts = (await gem.text()).split("\n").filter((l) => l.startsWith("data: ")).map((l) =>
    JSON.parse(l.slice(6))
  );
  assertEquals(parts.map((p) => p.candidates?.[0]?.content?.parts?.[0]?.text ?? "").join(""), text);

  await settled(h);
  const rows = await h.deps.db.query("SELECT quota FROM logs WHERE type = 2");
  const u = answer.usage!;
  const want = expectedQuota({ input: u.prompt_tokens - 3, cacheRead: 3, output: u.completion_tokens });
  assert(rows.filter((row) => asInt(row.quota) === want).length >= 2, JSON.stringify(rows));
});

appTest("Cohere: errors in the caller's dialect; rerank passes through; fetch_models lists", async (h) => {
  await using fake = await startFakeCohere({
    key: "co-key-123456",
    models: ["command-a-03-2025", "command-r7b"],
  });
  const s = await providerSetup(h, fake.url, CHANNEL, PRICED);
  const headers = { authorization: `Bearer ${s.key}` };
  const limited = await h.call("POST", "/v1/chat/completions", {
    model: "fault-429",
    messages: [{ role: "user", content: "x" }],
  }, headers);
  assertEquals(limited.status, 429);
  assert((await limited.json()).error);
  const climited = await h.call("POST", "/v1/messages", {
    model: "fault-429",
    max_tokens: 5,
    messages: [{ role: "user", content: "x" }],
  }, { "x-api-key": s.key, "anthropic-version": "2023-06-01" });
  assertEquals(climited.status, 429);
  assertEquals((await climited.json()).type, "error");
  // An error event mid-stream ends the client's stream with its error form.
  const broken = await h.call("POST", "/v1/chat/completions", {
    model: MODEL,
    stream: true,
    messages: [{ role: "user", content: "x [fake:stream_error]" }],
  }, headers);
  const body = await broken.text();
  assert(body.includes('"error"') && !body.includes("[DONE]"), body);

  const rr = await h.call("POST", "/v1/rerank", {
    model: "rerank-v3.5",
    query: "deep learning",
    documents: ["a", "deep learning is ml"],
    top_n: 1,
  }, headers);
  assertEquals(rr.status, 200);
  assertEquals(fake.lastRequest()!.path, "/v2/rerank");
  assertEquals((await rr.json()).results[0].index, 1);

  const { admin } = await cast(h);
  const listed = await admin.call("GET", `/api/channel/fetch_models/${s.channelIds[0]}`);
  assertEquals(listed.body.data, ["command-a-03-2025", "command-r7b"]);
  assertEquals(fake.lastRequest()!.path, "/v1/models");
});
