/**
 * Tencent Hunyuan channels (type 23) through the real HTTP path: TC3-HMAC-SHA256 signed ChatCompletions
 * calls (the fake recomputes the signature), Hunyuan's PascalCase body and answers translated for OpenAI,
 * Claude and Gemini clients, streams and tool calls, usage billed; `Response.Error` inside an HTTP 200 is
 * the caller's error with the right status; a wrong secret is refused.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { providerSetup, settled, streamedChat } from "../../support/relay.ts";
import { expectedQuota } from "../../support/native_relay.ts";
import { startFakeTencent } from "../../fake_upstream/tencent.ts";
import { testChannel } from "../../../relay/health/channel_test.ts";
import { asInt } from "../../../store/db.ts";

const SID = "AKIDfakeSecretId00000000000000000001";
const SKEY = "fakeTencentSecretKey0000000000001";
const MODEL = "hunyuan-chat";

appTest(
  "Tencent Hunyuan: TC3-signed ChatCompletions for every client dialect, streams, tools, errors",
  async (h) => {
    await using fake = await startFakeTencent({ secretId: SID, secretKey: SKEY });
    const s = await providerSetup(h, fake.url, { type: 23, key: `1300000001|${SID}|${SKEY}` }, {
      models: [MODEL, "fault-limit"],
    });
    const { gw, claude } = s;
    const messages = [{ role: "system" as const, content: "Be brief." }, {
      role: "user" as const,
      content: "Describe the sea",
    }];
    const answer = await gw.chat.completions.create({ model: MODEL, messages, temperature: 0.3 });
    const sent = fake.lastRequest()!;
    assertEquals(fake.refused, []);
    assert(sent.headers.get("authorization")!.startsWith(`TC3-HMAC-SHA256 Credential=${SID}/`));
    assertEquals(sent.json.Messages, [{ Role: "system", Content: "Be brief." }, {
      Role: "user",
      Content: "Describe the sea",
    }]);
    assertEquals([sent.json.Model, sent.json.Temperature], [MODEL, 0.3]);
    assert(answer.choices[0].message.content!.startsWith("Describe the sea"));
    const text = answer.choices[0].message.content;
    const viaStream = await streamedChat(gw, { model: MODEL, messages });
    assertEquals(viaStream.text, text);
    assertEquals(viaStream.usage?.completion_tokens, answer.usage!.completion_tokens);

    const tools = {
      model: MODEL,
      messages: [{ role: "user" as const, content: "Two cities [fake:calls=2]" }],
      tools: [{
        type: "function" as const,
        function: {
          name: "get_weather",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      }],
    };
    const called = await gw.chat.completions.create(tools);
    assertEquals(JSON.parse(fake.lastRequest()!.json.Tools[0].Function.Parameters).type, "object");
    assertEquals(called.choices[0].message.tool_calls!.length, 2);
    const streamed = await gw.chat.completions.stream(tools).finalChatCompletion();
    const shape = (c: typeof called) =>
      c.choices[0].message.tool_calls!.map((t) =>
        t.type === "function" ? [t.function.name, JSON.parse(t.function.arguments)] : []
      );
    assertEquals(shape(streamed), shape(called));

    const msg = await claude.messages.create({
      model: MODEL,
      max_tokens: 50,
      messages: [{ role: "user", content: "Describe the sea" }],
    });
    assertEquals(msg.content[0].type === "text" ? msg.content[0].text : "", text);
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
    assertEquals(fake.refused, []);

    // Tencent's errors come inside an HTTP 200; the caller sees its own dialect's 429.
    const limited = await h.call("POST", "/v1/chat/completions", {
      model: "fault-limit",
      messages: [{ role: "user", content: "x" }],
    }, {
      authorization: `Bearer ${s.key}`,
    });
    assertEquals(limited.status, 429);
    const climited = await h.call("POST", "/v1/messages", {
      model: "fault-limit",
      max_tokens: 5,
      messages: [{ role: "user", content: "x" }],
    }, { "x-api-key": s.key, "anthropic-version": "2023-06-01" });
    assertEquals(climited.status, 429);
    assertEquals((await climited.json()).type, "error");
    // ... a stream request too: the error JSON comes instead of the stream.
    const slimited = await h.call("POST", "/v1/chat/completions", {
      model: "fault-limit",
      stream: true,
      messages: [{ role: "user", content: "x" }],
    }, { authorization: `Bearer ${s.key}` });
    assertEquals(slimited.status, 429);

    const channel = h.deps.catalog.channel(s.channelIds[0])!;
    const wrong = await testChannel(h.deps, {
      ...channel,
      keys: [`1300000001|${SID}|not-the-secret-key-00`],
    });
    assertEquals(wrong.ok, false);
    assertEquals(fake.refused.at(-1), "AuthFailure.SignatureFailure");
    assertEquals((await testChannel(h.deps, channel)).ok, true);

    await settled(h);
    const rows = await h.deps.db.query("SELECT quota FROM logs WHERE type = 2");
    const u = answer.usage!;
    assert(
      rows.some((r) =>
        asInt(r.quota) === expectedQuota({ input: u.prompt_tokens, output: u.completion_tokens })
      ),
    );
  },
);
