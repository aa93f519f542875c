/**
 * Baidu v1 channels (type 15) through the real HTTP path: the `API Key|Secret Key` pair is exchanged once
 * for an access token (cached), requests go to the model's WENXINWORKSHOP endpoint in ERNIE's body, answers
 * and streams come back to OpenAI, Claude and Gemini clients, and an `error_code` inside an HTTP 200 is the
 * caller's error with its status.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { providerSetup, streamedChat } from "../../support/relay.ts";
import { startFakeBaidu } from "../../fake_upstream/baidu.ts";
import { testChannel } from "../../../relay/health/channel_test.ts";

const MODEL = "ERNIE-4.0-8K";

appTest(
  "Baidu v1: one cached access token, ERNIE endpoints and body, streams, errors in a 200",
  async (h) => {
    await using fake = await startFakeBaidu({ apiKey: "bd-api-key-0001", secretKey: "bd-secret-key-0001" });
    const s = await providerSetup(h, fake.url, { type: 15, key: "bd-api-key-0001|bd-secret-key-0001" }, {
      models: [MODEL, "fault-qps"],
    });
    const { gw, claude } = s;
    const messages = [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: "Describe the sea" },
    ];
    const answer = await gw.chat.completions.create({ model: MODEL, messages, max_tokens: 100 });
    const sent = fake.lastRequest()!;
    assertEquals(sent.path, "/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/completions_pro");
    assertEquals(sent.json, {
      messages: [{ role: "user", content: "Describe the sea" }],
      system: "Be brief.",
      max_output_tokens: 100,
    });
    assert(answer.choices[0].message.content!.startsWith("Describe the sea"));
    const text = answer.choices[0].message.content;
    const viaStream = await streamedChat(gw, { model: MODEL, messages });
    assertEquals(viaStream.text, text);
    assertEquals(viaStream.usage?.completion_tokens, answer.usage!.completion_tokens);
    const final = await claude.messages.stream({
      model: MODEL,
      max_tokens: 50,
      messages: [{ role: "user", content: "Describe the sea" }],
    })
      .finalMessage();
    assertEquals(final.content[0].type === "text" ? final.content[0].text : "", text);
    const gem = await h.call("POST", `/v1beta/models/${MODEL}:generateContent`, {
      contents: [{ role: "user", parts: [{ text: "Describe the sea" }] }],
    }, { "x-goog-api-key": s.key });
    assertEquals((await gem.json()).candidates[0].content.parts[0].text, text);
    assertEquals(fake.tokensIssued, 1);

    const limited = await h.call("POST", "/v1/chat/completions", {
      model: "fault-qps",
      messages: [{ role: "user", content: "x" }],
    }, {
      authorization: `Bearer ${s.key}`,
    });
    assertEquals(limited.status, 429);

    const channel = h.deps.catalog.channel(s.channelIds[0])!;
    const wrong = await testChannel(h.deps, { ...channel, keys: ["bd-api-key-0001|wrong-secret-000"] });
    assertEquals(wrong.ok, false);
    assert(wrong.message.includes("token exchange failed"), wrong.message);
    assert(!wrong.message.includes("wrong-secret-000"));
  },
);
