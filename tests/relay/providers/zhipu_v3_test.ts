/**
 * Zhipu v3 channels (type 16) through the real HTTP path against a fake that verifies the JWT's HS256
 * signature, header and millisecond claims: `invoke` for whole answers and `sse-invoke` streams read by
 * the Zhipu parser (`event: add` data verbatim, the usage on the finish event's `meta:` line), for OpenAI,
 * Claude and Gemini clients; one token per key while it is cached; system prompts as New API sends them;
 * Zhipu's error codes inside an HTTP 200 become the caller's statuses, an `error` event ends the stream in
 * an error, and a wrong secret answers 401 and auto-disables the channel.
 */
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { providerSetup, settled, streamedChat } from "../../support/relay.ts";
import { expectedQuota } from "../../support/native_relay.ts";
import { startFakeZhipuV3 } from "../../fake_upstream/zhipu_v3.ts";
import { testChannel } from "../../../relay/health/channel_test.ts";
import { signZhipuToken } from "../../../relay/providers/zhipu/token.ts";
import { ZhipuSseParser } from "../../../relay/providers/zhipu/sse_invoke.ts";
import type { SseEvent } from "../../../relay/sse/event.ts";
import { asInt } from "../../../store/db.ts";

const ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const SECRET = "ZhipuFakeSecret0123";
const MODEL = "chatglm_turbo";

Deno.test("Zhipu v3 token: HS256 with sign_type SIGN, api_key, exp and timestamp in milliseconds", async () => {
  const now = Date.now();
  const token = await signZhipuToken(`${ID}.${SECRET}`, now);
  assertEquals(decodeProtectedHeader(token), { alg: "HS256", sign_type: "SIGN" });
  assertEquals(decodeJwt(token), { api_key: ID, exp: now + 86_400_000, timestamp: now });
  // Signed with the secret (jose reads `exp` as seconds, so the clock is set to match).
  await jwtVerify(token, new TextEncoder().encode(SECRET), { currentDate: new Date(now) });
});

Deno.test("Zhipu sse-invoke parser: data verbatim, lines joined, meta as its own event, any chunking", () => {
  const wire = "event:add\r\nid:7\r\ndata: Hello\r\n\r\nevent:add\nid:7\ndata:a\ndata:b\n\n" +
    'event:finish\nid:7\ndata:\nmeta:{"usage":{"prompt_tokens":3}}\n';
  const bytes = new TextEncoder().encode(wire);
  for (const size of [1, 3, 7, bytes.length]) {
    const events: SseEvent[] = [];
    const p = new ZhipuSseParser({ maxBufferBytes: 1024 });
    for (let i = 0; i < bytes.length; i += size) p.feed(bytes.subarray(i, i + size), (e) => events.push(e));
    p.finish((e) => events.push(e));
    assertEquals(events, [
      { event: "add", data: " Hello", id: "7" },
      { event: "add", data: "a\nb", id: "7" },
      { event: "meta", data: '{"usage":{"prompt_tokens":3}}', id: "7" },
    ], `chunks of ${size}`);
  }
  // A stream cut before its finish event's blank line and meta is not an answer.
  const cut: SseEvent[] = [];
  const p = new ZhipuSseParser({ maxBufferBytes: 1024 });
  p.feed(new TextEncoder().encode("event:add\ndata:x\n\nevent:add\ndata:y"), (e) => cut.push(e));
  p.finish((e) => cut.push(e));
  assertEquals(cut, [{ event: "add", data: "x" }]);
});

appTest("Zhipu v3: JWT auth, invoke and sse-invoke for every client dialect, errors in a 200", async (h) => {
  await using fake = await startFakeZhipuV3({ id: ID, secret: SECRET });
  const s = await providerSetup(h, fake.url, { type: 16, key: `${ID}.${SECRET}` }, { models: [MODEL] });
  const { gw, claude } = s;
  const messages = [
    { role: "system" as const, content: "Be brief." },
    { role: "user" as const, content: "Describe the sea" },
  ];
  const answer = await gw.chat.completions.create({ model: MODEL, messages, temperature: 0.5, top_p: 1 });
  assertEquals(fake.refused, []);
  const sent = fake.lastRequest()!;
  assertEquals(sent.path, `/api/paas/v3/model-api/${MODEL}/invoke`);
  assert(!sent.headers.get("authorization")!.startsWith("Bearer"));
  assertEquals(sent.json, {
    prompt: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Okay" },
      { role: "user", content: "Describe the sea" },
    ],
    temperature: 0.5,
    top_p: 0.99,
  });
  const text = answer.choices[0].message.content!;
  assert(text.startsWith("Describe the sea") && !text.startsWith('"'), text);
  assert(answer.usage!.completion_tokens > 0);

  const viaStream = await streamedChat(gw, { model: MODEL, messages });
  assertEquals(fake.lastRequest()!.path, `/api/paas/v3/model-api/${MODEL}/sse-invoke`);
  assertEquals(viaStream.text, text);
  assertEquals(viaStream.usage?.completion_tokens, answer.usage!.completion_tokens);
  const final = await claude.messages.stream({
    model: MODEL,
    max_tokens: 50,
    messages: [{ role: "user", content: "Describe the sea" }],
  }).finalMessage();
  assertEquals(final.content[0].type === "text" ? final.content[0].text : "", text);
  const gem = await h.call("POST", `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
    contents: [{ role: "user", parts: [{ text: "Describe the sea" }] }],
  }, { "x-goog-api-key": s.key });
  assert((await gem.text()).includes("Describe"));
  assertEquals(fake.tokens.size, 1, "one cached token for every call");

  for (const stream of [false, true]) {
    const limited = await h.call("POST", "/v1/chat/completions", {
      model: MODEL,
      stream,
      messages: [{ role: "user", content: "x [fake:zhipu_error=1302]" }],
    }, { authorization: `Bearer ${s.key}` });
    assertEquals(limited.status, 429, `stream ${stream}`);
    assertEquals((await limited.json()).error.type !== undefined, true);
  }
  const broken = await h.call("POST", "/v1/chat/completions", {
    model: MODEL,
    stream: true,
    messages: [{ role: "user", content: "Describe the sea [fake:zhipu_stream_error]" }],
  }, { authorization: `Bearer ${s.key}` });
  const brokenText = await broken.text();
  assert(brokenText.includes('"error"') && !brokenText.includes("[DONE]"), brokenText);

  const channel = h.deps.catalog.channel(s.channelIds[0])!;
  assertEquals((await testChannel(h.deps, { ...channel, testModel: MODEL })).ok, true);
  await settled(h);
  const rows = await h.deps.db.query("SELECT quota FROM logs WHERE type = 2");
  const u = answer.usage!;
  const want = expectedQuota({ input: u.prompt_tokens, output: u.completion_tokens });
  assert(rows.filter((r) => asInt(r.quota) === want).length >= 2, JSON.stringify(rows));
});

appTest("a wrong Zhipu v3 secret: 401 to the caller, the channel auto-disabled", async (h) => {
  await using fake = await startFakeZhipuV3({ id: ID, secret: SECRET });
  const s = await providerSetup(h, fake.url, { type: 16, key: `${ID}.WrongSecret999`, autoBan: 1 }, {
    models: [MODEL],
    options: { AutomaticDisableChannelEnabled: "true" },
  });
  const res = await h.call("POST", "/v1/chat/completions", {
    model: MODEL,
    messages: [{ role: "user", content: "hi" }],
  }, { authorization: `Bearer ${s.key}` });
  assertEquals(res.status, 401);
  assert(
    fake.refused.length > 0 && fake.refused.every((r) => r === "通过提供的Token验证失败"),
    fake.refused.join(),
  );
  await settled(h);
  const row = await h.deps.db.query("SELECT status FROM channels WHERE id = ?", [s.channelIds[0]]);
  assertEquals(asInt(row[0].status), 3);
  const bad = await h.call("POST", "/v1/chat/completions", {
    model: MODEL,
    messages: [{ role: "user", content: "hi" }],
  }, { authorization: `Bearer ${s.key}` });
  assert(bad.status >= 400);
});
