/**
 * AWS Bedrock channels (type 33) through the real HTTP path: every ingress dialect reaches the Converse API
 * of a fake Bedrock that checks each request's SigV4 signature (recomputed from the spec) and streams
 * `application/vnd.amazon.eventstream` frames; usage with cache tokens is billed, errors come back in
 * the caller's dialect, the key forms and model ids follow New API's AWS channel.
 */
import OpenAI from "openai";
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { providerSetup, settled, streamedChat } from "../../support/relay.ts";
import { expectedQuota } from "../../support/native_relay.ts";
import { startFakeBedrock } from "../../fake_upstream/bedrock.ts";
import { asInt } from "../../../store/db.ts";
import { bedrockModelId, parseBedrockKey } from "../../../relay/providers/bedrock/index.ts";
import { testChannel } from "../../../relay/health/channel_test.ts";
import { secretsInPlay } from "../../../relay/pipeline/secrets_in_play.ts";
import type { ChannelView } from "../../../store/cache/catalog.ts";

const AK = "AKIAFAKEEXAMPLE0001";
const SK = "fakeSecretKeyExample/0123456789abcdefABCD";
const MODEL = "claude-sonnet-4-5-20250929";
const ALIAS = "bedrock-chat";
const PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const PRICED = { models: [MODEL, ALIAS, "fault-429"], ratios: { CacheRatio: 0.25, CreateCacheRatio: 1.25 } };

async function setup(
  h: Parameters<Parameters<typeof appTest>[1]>[0],
  url: string,
  key = `${AK}|${SK}|us-east-1`,
) {
  return await providerSetup(h, url, {
    type: 33,
    key,
    models: `${MODEL},${ALIAS}`,
    // A neutral name billed at the test prices (Claude names carry family completion ratios).
    modelMapping: JSON.stringify({ [ALIAS]: MODEL }),
  }, PRICED);
}

Deno.test("Bedrock model ids: short names mapped, cross-region profile prefixes by region group", () => {
  assertEquals(bedrockModelId(MODEL, "us-east-1"), PROFILE);
  assertEquals(bedrockModelId(MODEL, "eu-central-1"), "eu.anthropic.claude-sonnet-4-5-20250929-v1:0");
  assertEquals(bedrockModelId(MODEL, "ap-northeast-1"), "apac.anthropic.claude-sonnet-4-5-20250929-v1:0");
  assertEquals(
    bedrockModelId("claude-opus-4-1-20250805", "eu-west-1"),
    "anthropic.claude-opus-4-1-20250805-v1:0",
  );
  assertEquals(bedrockModelId("amazon.nova-pro-v1:0", "us-west-2"), "us.amazon.nova-pro-v1:0");
  assertEquals(bedrockModelId("meta.llama3-70b-instruct-v1:0", "us-east-1"), "meta.llama3-70b-instruct-v1:0");
  assertEquals(parseBedrockKey("AK|SK|us-west-2"), {
    region: "us-west-2",
    accessKeyId: "AK",
    secretAccessKey: "SK",
  });
  assertEquals(parseBedrockKey("ABSK123|eu-west-1"), { region: "eu-west-1", apiKey: "ABSK123" });
  // An error quoting the secret key alone is redacted too; the region is no secret.
  const key = `${AK}|${SK}|us-east-1`;
  const secrets = secretsInPlay({ channel: { keys: [key] } as unknown as ChannelView, key });
  assert(secrets.includes(SK) && secrets.includes(AK) && !secrets.includes("us-east-1"));
});

appTest(
  "Bedrock: an OpenAI client gets answers, streams and tool calls through SigV4-signed Converse",
  async (h) => {
    await using fake = await startFakeBedrock({ accessKeyId: AK, secretAccessKey: SK });
    const s = await setup(h, fake.url);
    const { gw } = s;
    const messages = [{
      role: "user" as const,
      content: "Describe the sea [fake:cache_read=3] [fake:cache_write=2]",
    }];
    const answer = await gw.chat.completions.create({ model: ALIAS, messages, max_tokens: 200 });
    const sent = fake.lastRequest()!;
    assertEquals(fake.rejected, []);
    assertEquals(decodeURIComponent(sent.path), `/model/${PROFILE}/converse`);
    assert(sent.headers.get("authorization")!.includes(`Credential=${AK}/`));
    assert(sent.headers.get("authorization")!.includes("/us-east-1/bedrock/aws4_request"));
    assertEquals(sent.json.messages[0].content[0].text, messages[0].content);
    assertEquals(sent.json.inferenceConfig.maxTokens, 200);
    assert(answer.choices[0].message.content!.startsWith("Describe the sea"));
    assertEquals(answer.choices[0].finish_reason, "stop");
    assertEquals(answer.usage!.prompt_tokens_details?.cached_tokens, 3);
    const reference = answer.choices[0].message.content;

    const viaStream = await streamedChat(gw, { model: ALIAS, messages, max_tokens: 200 });
    assertEquals(fake.rejected, []);
    assertEquals(decodeURIComponent(fake.lastRequest()!.path), `/model/${PROFILE}/converse-stream`);
    assertEquals(viaStream.text, reference);
    const usage = viaStream.usage!;
    assertEquals(usage.completion_tokens, answer.usage!.completion_tokens);
    assertEquals(usage.prompt_tokens, answer.usage!.prompt_tokens);
    assertEquals(
      viaStream.chunks.at(-2)?.choices[0]?.finish_reason ??
        viaStream.chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason,
      "stop",
    );

    const tools = {
      model: ALIAS,
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
    assertEquals(fake.lastRequest()!.json.toolConfig.tools[0].toolSpec.name, "get_weather");
    assertEquals(called.choices[0].finish_reason, "tool_calls");
    assertEquals(called.choices[0].message.tool_calls!.length, 2);
    const streamed = await gw.chat.completions.stream(tools).finalChatCompletion();
    const shape = (c: typeof called) =>
      c.choices[0].message.tool_calls!.map((t) =>
        t.type === "function" ? [t.function.name, JSON.parse(t.function.arguments)] : []
      );
    assertEquals(shape(streamed), shape(called));

    // The tool results go back as Converse toolResult blocks opening the user turn.
    const call = called.choices[0].message.tool_calls![0];
    await gw.chat.completions.create({
      ...tools,
      messages: [...tools.messages, called.choices[0].message, {
        role: "tool",
        tool_call_id: call.id,
        content: "sunny",
      }, {
        role: "tool",
        tool_call_id: called.choices[0].message.tool_calls![1].id,
        content: "rain",
      }],
    });
    const turn = fake.lastRequest()!.json.messages.at(-1);
    assertEquals(turn.role, "user");
    assertEquals(turn.content[0].toolResult.content, [{ text: "sunny" }]);

    await settled(h);
    const rows = await h.deps.db.query(
      "SELECT quota, prompt_tokens, completion_tokens FROM logs WHERE type = 2 ORDER BY id",
    );
    const u = answer.usage!;
    const input = u.prompt_tokens - 3 - 2;
    // The plain answer and its stream (log rows may be written in either order): cache tokens priced apart.
    const want = expectedQuota({ input, cacheRead: 3, cacheWrite: 2, output: u.completion_tokens });
    assertEquals(rows.filter((r) => asInt(r.quota) === want).length, 2, JSON.stringify(rows));
  },
);

appTest("Bedrock: Claude, Responses and Gemini clients reach Converse, streams included", async (h) => {
  await using fake = await startFakeBedrock({ accessKeyId: AK, secretAccessKey: SK });
  const s = await setup(h, fake.url);
  const { gw, claude } = s;
  const msg = await claude.messages.create({
    model: MODEL,
    max_tokens: 100,
    system: "Be brief.",
    messages: [{ role: "user", content: "Tell me about rivers [fake:cache_read=4]" }],
  });
  assertEquals(fake.lastRequest()!.json.system, [{ text: "Be brief." }]);
  assertEquals(msg.usage.cache_read_input_tokens, 4);
  const text = msg.content[0].type === "text" ? msg.content[0].text : "";
  assert(text.startsWith("Tell me about rivers"));
  const stream = claude.messages.stream({
    model: MODEL,
    max_tokens: 100,
    messages: [{ role: "user", content: "Tell me about rivers [fake:cache_read=4]" }],
  });
  const final = await stream.finalMessage();
  assertEquals(final.content[0].type === "text" ? final.content[0].text : "", text);
  assertEquals(final.usage.cache_read_input_tokens, 4);
  assertEquals(final.usage.output_tokens, msg.usage.output_tokens);
  assertEquals(final.stop_reason, "end_turn");

  const r = await gw.responses.create({ model: MODEL, input: "Tell me about rivers [fake:cache_read=4]" });
  assertEquals(r.output_text, text);
  assertEquals(r.usage!.input_tokens_details.cached_tokens, 4);

  const gem = await h.call("POST", `/v1beta/models/${MODEL}:generateContent`, {
    contents: [{ role: "user", parts: [{ text: "Tell me about rivers [fake:cache_read=4]" }] }],
  }, { "x-goog-api-key": s.key });
  assertEquals(gem.status, 200);
  const g = await gem.json();
  assertEquals(g.candidates[0].content.parts[0].text, text);
  assertEquals(g.usageMetadata.cachedContentTokenCount, 4);
  const gs = await h.call("POST", `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
    contents: [{ role: "user", parts: [{ text: "Tell me about rivers [fake:cache_read=4]" }] }],
  }, { "x-goog-api-key": s.key });
  const sse = await gs.text();
  const parts = sse.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
  assertEquals(parts.map((p) => p.candidates?.[0]?.content?.parts?.[0]?.text ?? "").join(""), text);
  assertEquals(parts.at(-1).usageMetadata.cachedContentTokenCount, 4);
  assertEquals(fake.rejected, []);
});

appTest(
  "Bedrock: errors and stream exceptions reach the caller in its dialect; bad signatures fail",
  async (h) => {
    await using fake = await startFakeBedrock({
      accessKeyId: AK,
      secretAccessKey: SK,
      apiKey: "ABSKfakeapikey",
    });
    const s = await providerSetup(h, fake.url, {
      type: 33,
      key: `${AK}|${SK}|us-east-1`,
      models: `${MODEL},fault-429`,
    }, PRICED);
    const { gw } = s;
    // A throttling exception mid-stream ends the OpenAI stream with an error, never a clean [DONE].
    const res = await h.call("POST", "/v1/chat/completions", {
      model: MODEL,
      stream: true,
      messages: [{ role: "user", content: "slow down [fake:exception=throttlingException]" }],
    }, { authorization: `Bearer ${s.key}` });
    const body = await res.text();
    assertEquals(res.status, 200);
    assert(body.includes('"error"'), body);
    assert(!body.includes("[DONE]"), body);
    // ... and a Claude stream with Claude's error event.
    const cres = await h.call("POST", "/v1/messages", {
      model: MODEL,
      max_tokens: 50,
      stream: true,
      messages: [{ role: "user", content: "slow down [fake:exception=throttlingException]" }],
    }, { "x-api-key": s.key, "anthropic-version": "2023-06-01" });
    const cbody = await cres.text();
    assert(cbody.includes("event: error"), cbody);
    assert(!cbody.includes("message_stop"), cbody);

    // An HTTP 429 from Bedrock is the caller's 429.
    const e = await gw.chat.completions.create({
      model: "fault-429",
      messages: [{ role: "user", content: "x" }],
    })
      .catch((err) => err);
    assert(e instanceof OpenAI.APIError);
    assertEquals(e.status, 429);
    const ce = await h.call("POST", "/v1/messages", {
      model: "fault-429",
      max_tokens: 5,
      messages: [{ role: "user", content: "x" }],
    }, { "x-api-key": s.key, "anthropic-version": "2023-06-01" });
    assertEquals(ce.status, 429);
    assertEquals((await ce.json()).type, "error");
    assertEquals(fake.rejected, []);

    // A wrong secret is refused by the signature check, and the channel test says so.
    const channel = h.deps.catalog.channel(s.channelIds[0])!;
    assertEquals((await testChannel(h.deps, channel)).ok, true);
    const wrong = { ...channel, keys: [`${AK}|wrong-secret|us-east-1`] };
    const failed = await testChannel(h.deps, wrong);
    assertEquals(failed.ok, false);
    assert(fake.rejected.at(-1)!.includes("signature"), fake.rejected.join());
    // The bearer form of New API's key (a Bedrock API key).
    const bearer = await testChannel(h.deps, { ...channel, keys: ["ABSKfakeapikey|us-east-1"] });
    assertEquals(bearer.ok, true);
    assertEquals(fake.lastRequest()!.headers.get("authorization"), "Bearer ABSKfakeapikey");
  },
);
