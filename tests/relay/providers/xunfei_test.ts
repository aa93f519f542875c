/**
 * Xunfei Spark channels (type 18) through the real HTTP path against a fake Spark WebSocket server that
 * checks the signed URL on its own: the version from the model name or the channel's `other`, its path and
 * domain, the app id from the key, system prompts as New API sends them, answers for OpenAI, Claude and
 * Gemini clients streamed or whole, a function call, usage billed; Spark's error frames and a cut socket
 * reach the caller in its dialect; a wrong APISecret fails the channel test, and its refused handshake (401)
 * answers 401 and auto-disables the channel; the socket goes through the channel's proxy setting.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { providerSetup, settled, streamedChat } from "../../support/relay.ts";
import { expectedQuota } from "../../support/native_relay.ts";
import { startFakeXunfei } from "../../fake_upstream/xunfei.ts";
import { testChannel } from "../../../relay/health/channel_test.ts";
import { sparkDomain, sparkVersion } from "../../../relay/providers/xunfei/index.ts";
import { asInt } from "../../../store/db.ts";
import { startConnectProxy } from "../http/proxy_servers.ts";

const APP = "5f0fake1";
const SECRET = "fakeSparkApiSecret000000000000001";
const API_KEY = "fakeSparkApiKey00000000000000001";
const PRO = "SparkDesk-v3.5";
const V3 = "generalv3";

Deno.test("Spark versions from the model name, else the channel's other; their domains", () => {
  assertEquals(sparkVersion(PRO, "v3.1"), "v3.5");
  assertEquals(sparkVersion(V3, "v3.1"), "v3.1");
  assertEquals(sparkVersion(V3, ""), "v1.1");
  assertEquals([sparkDomain("v1.1"), sparkDomain("v4.0"), sparkDomain("v9")], [
    "lite",
    "4.0Ultra",
    "generalv9",
  ]);
});

appTest(
  "Xunfei Spark: signed WebSocket chat for every client dialect, streams, a call, errors",
  async (h) => {
    await using fake = await startFakeXunfei({ appId: APP, apiKey: API_KEY, apiSecret: SECRET });
    const s = await providerSetup(h, fake.url, {
      type: 18,
      key: `${APP}|${SECRET}|${API_KEY}`,
      other: "v3.1",
    }, {
      models: [PRO, V3],
    });
    const { gw, claude } = s;
    const messages = [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: "Describe the sea" },
    ];
    const answer = await gw.chat.completions.create({
      model: PRO,
      messages,
      temperature: 0.5,
      max_tokens: 100,
    });
    assertEquals(fake.refused, []);
    const sent = fake.frames.at(-1)!;
    assertEquals(sent.path, "/v3.5/chat");
    assertEquals(sent.frame.header.app_id, APP);
    assertEquals(sent.frame.parameter.chat, { domain: "generalv3.5", temperature: 0.5, max_tokens: 100 });
    assertEquals(sent.frame.payload.message.text, [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Describe the sea" },
    ]);
    const text = answer.choices[0].message.content!;
    assert(text.startsWith("Describe the sea"), text);
    assert(answer.usage!.completion_tokens > 0);
    const viaStream = await streamedChat(gw, { model: PRO, messages });
    assertEquals(viaStream.text, text);
    assertEquals(viaStream.usage?.completion_tokens, answer.usage!.completion_tokens);

    // A model without a version in its name: the channel's `other`; its system prompt as a user turn.
    await gw.chat.completions.create({ model: V3, messages });
    assertEquals(fake.frames.at(-1)!.path, "/v3.1/chat");
    assertEquals(fake.frames.at(-1)!.frame.parameter.chat.domain, "generalv3");
    assertEquals(fake.frames.at(-1)!.frame.payload.message.text.slice(0, 2), [
      { role: "user", content: "Be brief." },
      { role: "assistant", content: "Okay" },
    ]);

    const final = await claude.messages.stream({
      model: PRO,
      max_tokens: 50,
      messages: [{ role: "user", content: "Describe the sea" }],
    }).finalMessage();
    assertEquals(final.content[0].type === "text" ? final.content[0].text : "", text);
    const gem = await h.call("POST", `/v1beta/models/${PRO}:generateContent`, {
      contents: [{ role: "user", parts: [{ text: "Describe the sea" }] }],
    }, { "x-goog-api-key": s.key });
    assertEquals((await gem.json()).candidates[0].content.parts[0].text, text);

    const called = await gw.chat.completions.create({
      model: PRO,
      messages: [{ role: "user", content: "Weather in Paris" }],
      tools: [{
        type: "function",
        function: {
          name: "get_weather",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      }],
    });
    assertEquals(fake.frames.at(-1)!.frame.payload.functions.text[0].name, "get_weather");
    assertEquals(called.choices[0].finish_reason, "tool_calls");
    const call = called.choices[0].message.tool_calls![0];
    assertEquals(call.type === "function" ? call.function.name : "", "get_weather");

    // Spark's error frame: its code's status, in each client's dialect.
    const limited = await h.call("POST", "/v1/chat/completions", {
      model: PRO,
      messages: [{ role: "user", content: "x [fake:spark_error=11202]" }],
    }, { authorization: `Bearer ${s.key}` });
    assertEquals(limited.status, 429);
    const climited = await h.call("POST", "/v1/messages", {
      model: PRO,
      max_tokens: 5,
      stream: true,
      messages: [{ role: "user", content: "x [fake:spark_error=11202]" }],
    }, { "x-api-key": s.key, "anthropic-version": "2023-06-01" });
    assertEquals(climited.status, 429);
    assertEquals((await climited.json()).type, "error");
    // A socket closed before the last frame: the stream ends in an error, never a clean [DONE].
    const cut = await h.call("POST", "/v1/chat/completions", {
      model: PRO,
      stream: true,
      messages: [{ role: "user", content: "Describe the sea [fake:spark_cut]" }],
    }, { authorization: `Bearer ${s.key}` });
    const cutBody = await cut.text();
    assert(cutBody.includes('"error"') && !cutBody.includes("[DONE]"), cutBody);

    const channel = h.deps.catalog.channel(s.channelIds[0])!;
    assertEquals((await testChannel(h.deps, { ...channel, testModel: PRO })).ok, true);
    const wrong = await testChannel(h.deps, {
      ...channel,
      testModel: PRO,
      keys: [`${APP}|wrong-secret|${API_KEY}`],
    });
    assertEquals(wrong.ok, false);
    assertEquals(fake.refused.at(-1), "HMAC signature does not match");

    await settled(h);
    const rows = await h.deps.db.query("SELECT quota FROM logs WHERE type = 2");
    const u = answer.usage!;
    const want = expectedQuota({ input: u.prompt_tokens, output: u.completion_tokens });
    assert(rows.filter((r) => asInt(r.quota) === want).length >= 2, JSON.stringify(rows));
  },
);

appTest(
  "Spark through the channel's proxy setting (HTTP CONNECT tunnel to the socket)",
  async (h) => {
    await using fake = await startFakeXunfei({ appId: APP, apiKey: API_KEY, apiSecret: SECRET });
    const proxy = startConnectProxy();
    try {
      const s = await providerSetup(h, fake.url, {
        type: 18,
        key: `${APP}|${SECRET}|${API_KEY}`,
        setting: JSON.stringify({ proxy: proxy.url }),
      }, { models: [PRO] });
      const answer = await s.gw.chat.completions.create({
        model: PRO,
        messages: [{ role: "user", content: "Describe the sea" }],
      });
      assert(answer.choices[0].message.content!.startsWith("Describe the sea"));
      assertEquals(proxy.seen, [`CONNECT ${new URL(fake.url).host}`]);
    } finally {
      await proxy.close();
    }
  },
);

appTest(
  "a wrong Spark key (handshake refused with 401): 401 in the Claude caller's dialect, the channel auto-disabled",
  async (h) => {
    await using fake = await startFakeXunfei({ appId: APP, apiKey: API_KEY, apiSecret: SECRET });
    const s = await providerSetup(h, fake.url, {
      type: 18,
      key: `${APP}|wrong-secret|${API_KEY}`,
      autoBan: 1,
    }, { models: [PRO], options: { AutomaticDisableChannelEnabled: "true" } });
    const res = await h.call("POST", "/v1/messages", {
      model: PRO,
      max_tokens: 5,
      messages: [{ role: "user", content: "hi" }],
    }, { "x-api-key": s.key, "anthropic-version": "2023-06-01" });
    assertEquals(res.status, 401);
    const body = await res.json();
    assertEquals(body.type, "error");
    assert(fake.refused.length > 0 && fake.refused.every((r) => r === "HMAC signature does not match"));
    await settled(h);
    const row = await h.deps.db.query("SELECT status FROM channels WHERE id = ?", [s.channelIds[0]]);
    assertEquals(asInt(row[0].status), 3);
  },
);
