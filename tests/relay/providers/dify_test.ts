/**
 * Dify channels (type 37) through the real HTTP path: the conversation becomes one `query` in New API's
 * SYSTEM/USER/ASSISTANT form, blocking and streaming answers come back to OpenAI, Claude and Gemini clients
 * with the app's usage billed, and a Dify error ends a stream in the caller's dialect.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { providerSetup, settled, streamedChat } from "../../support/relay.ts";
import { expectedQuota } from "../../support/native_relay.ts";
import { startFakeDify } from "../../fake_upstream/dify.ts";
import { asInt } from "../../../store/db.ts";

const MODEL = "dify-app";

appTest("Dify: blocking and streaming chat-messages for every client dialect, usage billed", async (h) => {
  await using fake = await startFakeDify({ key: "app-fakedifykey01" });
  const s = await providerSetup(h, fake.url, { type: 37, key: "app-fakedifykey01" }, { models: [MODEL] });
  const { gw, claude } = s;
  const messages = [
    { role: "system" as const, content: "Be brief." },
    { role: "assistant" as const, content: "Hello." },
    { role: "user" as const, content: "Describe the sea" },
  ];
  const answer = await gw.chat.completions.create({ model: MODEL, messages, user: "end-user-7" });
  const sent = fake.lastRequest()!.json;
  assertEquals(sent.query, "SYSTEM: \nBe brief.\nASSISTANT: \nHello.\nUSER: \nDescribe the sea\n");
  assertEquals([sent.response_mode, sent.user, sent.inputs], ["blocking", "end-user-7", {}]);
  assert(answer.choices[0].message.content!.startsWith("Describe the sea"));
  const text = answer.choices[0].message.content;
  const viaStream = await streamedChat(gw, { model: MODEL, messages });
  assertEquals(fake.lastRequest()!.json.response_mode, "streaming");
  assertEquals(viaStream.text, text);
  assertEquals(viaStream.usage?.completion_tokens, answer.usage!.completion_tokens);
  // DIFY_DEBUG (on by default, as New API): workflow and node events as reasoning lines.
  assertEquals(
    // deno-lint-ignore no-explicit-any
    viaStream.chunks.map((c) => (c.choices[0]?.delta as any)?.reasoning_content ?? "").join(""),
    "Workflow: wf-fake-1\nNode: start\nNode: start succeeded\nNode: llm\nNode: llm succeeded\n" +
      "Workflow: wf-fake-1 succeeded\n",
  );

  const final = await claude.messages.stream({
    model: MODEL,
    max_tokens: 50,
    messages: [{ role: "user", content: "Describe the sea" }],
  })
    .finalMessage();
  const textBlock = final.content.find((b) => b.type === "text");
  assertEquals(textBlock?.type === "text" ? textBlock.text : "", text);
  const gem = await h.call("POST", `/v1beta/models/${MODEL}:generateContent`, {
    contents: [{ role: "user", parts: [{ text: "Describe the sea" }] }],
  }, { "x-goog-api-key": s.key });
  assertEquals((await gem.json()).candidates[0].content.parts[0].text, text);

  const broken = await h.call("POST", "/v1/messages", {
    model: MODEL,
    max_tokens: 50,
    stream: true,
    messages: [{ role: "user", content: "x [fake:stream_error]" }],
  }, { "x-api-key": s.key, "anthropic-version": "2023-06-01" });
  const body = await broken.text();
  assert(body.includes("event: error") && !body.includes("message_stop"), body);

  await settled(h);
  const rows = await h.deps.db.query("SELECT quota FROM logs WHERE type = 2");
  const u = answer.usage!;
  assert(
    rows.some((r) =>
      asInt(r.quota) === expectedQuota({ input: u.prompt_tokens, output: u.completion_tokens })
    ),
  );
});

appTest("DIFY_DEBUG=false: a Dify stream carries the answer only, no workflow or node lines", async (h) => {
  await using fake = await startFakeDify({ key: "app-fakedifykey01" });
  const s = await providerSetup(h, fake.url, { type: 37, key: "app-fakedifykey01" }, { models: [MODEL] });
  const { chunks } = await streamedChat(s.gw, {
    model: MODEL,
    messages: [{ role: "user", content: "Describe the sea" }],
  });
  assert(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("").length > 0);
  // deno-lint-ignore no-explicit-any
  assertEquals(chunks.filter((c) => (c.choices[0]?.delta as any)?.reasoning_content).length, 0);
}, { DIFY_DEBUG: "false" });
