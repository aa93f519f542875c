/**
 * Coze channels (type 49) through the real HTTP path: the bot id from `other`, the conversation as
 * additional messages, always streamed upstream (Coze's non-stream chat must be polled), read whole for a
 * client's non-stream request and translated event by event for a stream, usage from chat.completed
 * billed; a failed chat and Coze's `{code, msg}` errors reach the caller in its dialect.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { providerSetup, settled, streamedChat } from "../../support/relay.ts";
import { expectedQuota } from "../../support/native_relay.ts";
import { startFakeCoze } from "../../fake_upstream/coze.ts";
import { testChannel } from "../../../relay/health/channel_test.ts";
import { asInt } from "../../../store/db.ts";

const MODEL = "coze-bot";

appTest("Coze: v3 chat streamed upstream for stream and non-stream clients of every dialect", async (h) => {
  await using fake = await startFakeCoze({ token: "pat_fakecoze0001", botId: "7350000000000000001" });
  const s = await providerSetup(h, fake.url, {
    type: 49,
    key: "pat_fakecoze0001",
    other: "7350000000000000001",
  }, { models: [MODEL] });
  const { gw, claude } = s;
  const messages = [{ role: "system" as const, content: "Be brief." }, {
    role: "user" as const,
    content: "Describe the sea",
  }];
  const answer = await gw.chat.completions.create({ model: MODEL, messages, user: "u-42" });
  const sent = fake.lastRequest()!.json;
  assertEquals([sent.bot_id, sent.user_id, sent.stream], ["7350000000000000001", "u-42", true]);
  assertEquals(sent.additional_messages, [
    { role: "user", content: "Be brief.", content_type: "text" },
    { role: "user", content: "Describe the sea", content_type: "text" },
  ]);
  assert(answer.choices[0].message.content!.startsWith("Describe the sea"));
  const text = answer.choices[0].message.content;
  const viaStream = await streamedChat(gw, { model: MODEL, messages });
  assertEquals(viaStream.text, text);
  assertEquals(viaStream.usage?.completion_tokens, answer.usage!.completion_tokens);
  const msg = await claude.messages.create({
    model: MODEL,
    max_tokens: 50,
    messages: [{ role: "user", content: "Describe the sea" }],
  });
  assertEquals(msg.content[0].type === "text" ? msg.content[0].text : "", text);
  const gem = await h.call("POST", `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
    contents: [{ role: "user", parts: [{ text: "Describe the sea" }] }],
  }, { "x-goog-api-key": s.key });
  const parts = (await gem.text()).split("\n").filter((l) => l.startsWith("data: ")).map((l) =>
    JSON.parse(l.slice(6))
  );
  assertEquals(parts.map((p) => p.candidates?.[0]?.content?.parts?.[0]?.text ?? "").join(""), text);

  const failed = await h.call("POST", "/v1/chat/completions", {
    model: MODEL,
    stream: true,
    messages: [{ role: "user", content: "x [fake:stream_error]" }],
  }, { authorization: `Bearer ${s.key}` });
  const body = await failed.text();
  assert(body.includes('"error"') && !body.includes("[DONE]"), body);

  const channel = h.deps.catalog.channel(s.channelIds[0])!;
  assertEquals((await testChannel(h.deps, channel)).ok, true);
  const wrongBot = await testChannel(h.deps, { ...channel, other: "1" });
  assertEquals(wrongBot.ok, false);
  assert(wrongBot.message.includes("bot not found"), wrongBot.message);

  await settled(h);
  const rows = await h.deps.db.query("SELECT quota FROM logs WHERE type = 2");
  const u = answer.usage!;
  assert(
    rows.some((r) =>
      asInt(r.quota) === expectedQuota({ input: u.prompt_tokens, output: u.completion_tokens })
    ),
  );
});
