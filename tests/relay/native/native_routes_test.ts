/**
 * The native routes behave like the OpenAI ones: the model list in each client's shape (New API's
 * `/v1/models` rule, `/v1beta/models`), request id and overhead headers, same-dialect pass-through of the
 * upstream's bytes, token limits and model allow-lists answered in the caller's dialect, and failover
 * across Claude channels under one reservation.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, heldCount, settled, userQuota } from "../../support/relay.ts";
import { nativeSetup, replay } from "../../support/native_relay.ts";
import { parseSseTranscript } from "../../support/sse_fixture.ts";

const claudeBody = {
  model: "chat-claude",
  max_tokens: 64,
  messages: [{ role: "user", content: "Hello sea" }],
};
const geminiBody = { contents: [{ role: "user", parts: [{ text: "Hello sea" }] }] };

appTest("model lists: OpenAI's, Anthropic's or Gemini's shape by how the client authenticates", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake, {
    token: { modelLimitsEnabled: true, modelLimits: "chat-claude,chat-gemini" },
  });
  const list = async (path: string, headers: Record<string, string>) => {
    const res = await h.call("GET", path, undefined, headers);
    assertEquals(res.status, 200, path);
    assert(res.headers.get("x-oneapi-request-id"), "request id");
    return await res.json();
  };
  const openai = await list("/v1/models", { authorization: `Bearer ${s.key}` });
  assertEquals(openai.data.map((m: { id: string }) => m.id), ["chat-claude", "chat-gemini"]);
  assertEquals(openai.object, "list");
  const claude = await list("/v1/models", { "x-api-key": s.key, "anthropic-version": "2023-06-01" });
  assertEquals(claude, {
    data: ["chat-claude", "chat-gemini"].map((id) => ({
      type: "model",
      id,
      display_name: id,
      created_at: "2021-07-20T10:40:00Z",
    })),
    first_id: "chat-claude",
    has_more: false,
    last_id: "chat-gemini",
  });
  const gemini = {
    models: ["chat-claude", "chat-gemini"].map((id) => ({
      name: `models/${id}`,
      version: "001",
      displayName: id,
      supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
    })),
    nextPageToken: null,
  };
  assertEquals(await list("/v1/models", { "x-goog-api-key": s.key }), gemini);
  assertEquals(await list(`/v1/models?key=${s.key}`, {}), gemini);
  assertEquals(await list(`/v1beta/models?key=${s.key}`, {}), gemini);
  assertEquals(await list("/v1beta/models/chat-gemini", { "x-goog-api-key": s.key }), gemini.models[1]);
  assertEquals((await list("/v1beta/openai/models", { authorization: `Bearer ${s.key}` })).data.length, 2);
  const missing = await h.call("GET", "/v1beta/models/chat-openai", undefined, { "x-goog-api-key": s.key });
  assertEquals([missing.status, (await missing.json()).error.status], [404, "NOT_FOUND"]);
});

appTest("same dialect in and out: the upstream's bytes, request ids and the overhead header", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake);
  const claude = await h.call("POST", "/v1/messages", claudeBody, {
    "x-api-key": s.key,
    "anthropic-beta": "b-1",
  });
  const id = claude.headers.get("x-oneapi-request-id");
  assert(id && claude.headers.get("request-id") === id, "Claude's request-id is New API's");
  assert(Number(claude.headers.get("x-newapi-overhead-ms")) >= 0, "overhead header");
  const bytes = await claude.text();
  const sent = fake.lastRequest()!;
  assertEquals(sent.headers.get("anthropic-beta"), "b-1");
  assertEquals(sent.text, JSON.stringify(claudeBody), "the client's body, untouched");
  assertEquals(bytes, await (await replay(fake, sent)).text(), "the upstream's answer, untouched");

  const stream = await h.call("POST", "/v1/messages", { ...claudeBody, stream: true }, {
    "x-api-key": s.key,
  });
  assert(stream.headers.get("request-id"), "stream request-id");
  const events = parseSseTranscript(await stream.text());
  const direct = parseSseTranscript(await (await replay(fake, fake.lastRequest()!)).text());
  assertEquals(events, direct, "Claude events passed through");

  const gpath = "/v1beta/models/chat-gemini:streamGenerateContent?alt=sse";
  const g = await h.call("POST", gpath, geminiBody, { "x-goog-api-key": s.key });
  assertEquals(g.headers.get("request-id"), null, "Claude's header only for Claude clients");
  const gevents = parseSseTranscript(await g.text());
  const gsent = fake.lastRequest()!;
  assertEquals(gsent.json.contents, geminiBody.contents);
  assertEquals(gsent.json.safetySettings.length, 5, "only the safety defaults are added");
  assertEquals(
    gevents,
    parseSseTranscript(await (await replay(fake, gsent)).text()),
    "Gemini chunks passed through",
  );
  await settled(h);
});

appTest("limits and allow-lists answer in the caller's dialect; refused requests cost nothing", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake, {
    token: { rpmLimit: 2, modelLimitsEnabled: true, modelLimits: "chat-claude,chat-openai" },
  });
  const forbidden = await h.call("POST", "/v1beta/models/chat-gemini:generateContent", geminiBody, {
    "x-goog-api-key": s.key,
  });
  assertEquals(forbidden.status, 403);
  assertEquals((await forbidden.json()).error.status, "PERMISSION_DENIED");
  const claudeForbidden = await h.call("POST", "/v1/messages", { ...claudeBody, model: "chat-gemini" }, {
    "x-api-key": s.key,
  });
  assertEquals([claudeForbidden.status, (await claudeForbidden.json()).error.type], [
    403,
    "permission_error",
  ]);
  assertEquals((await h.call("POST", "/v1/messages", claudeBody, { "x-api-key": s.key })).status, 200);
  assertEquals((await h.call("POST", "/v1/messages", claudeBody, { "x-api-key": s.key })).status, 200);
  await settled(h);
  const before = await userQuota(h, s.userId);
  const limited = await h.call("POST", "/v1/messages", claudeBody, { "x-api-key": s.key });
  assertEquals(limited.status, 429);
  assert(Number(limited.headers.get("retry-after")) >= 1, "Retry-After");
  const body = await limited.json();
  assertEquals([body.type, body.error.type], ["error", "rate_limit_error"]);
  const g = await h.call("POST", "/v1/models/chat-openai:generateContent", geminiBody, {
    "x-goog-api-key": s.key,
  });
  assertEquals([g.status, (await g.json()).error.status], [429, "RESOURCE_EXHAUSTED"]);
  assertEquals(fake.requestCount, 2);
  assertEquals(await userQuota(h, s.userId), before);
  assertEquals(await heldCount(h), 0);
});

appTest("a failing Claude channel is retried on the next one, under one reservation", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake, {
    options: { RetryTimes: "2" },
    channel: { priority: 10 },
    extra: [
      fakeChannel(fake.url, {
        name: "backup",
        type: 14,
        models: "chat-claude",
        key: "key-backup",
        priority: 0,
      }),
    ],
  });
  fake.setKeyFault("key-claude", { status: 529 });
  const before = await userQuota(h, s.userId);
  const res = await h.call("POST", "/v1/messages", { ...claudeBody, stream: true }, { "x-api-key": s.key });
  assertEquals(res.status, 200);
  const events = parseSseTranscript(await res.text());
  assertEquals(events.at(-1)!.event, "message_stop");
  assertEquals(fake.requests.map((r) => r.headers.get("x-api-key")), ["key-claude", "key-backup"]);
  await settled(h);
  const usage = JSON.parse(events.find((e) => e.event === "message_delta")!.data).usage;
  const start = JSON.parse(events[0].data).message.usage;
  assertEquals(before - await userQuota(h, s.userId), start.input_tokens + 2 * usage.output_tokens);
  assertEquals(await heldCount(h), 0);
});
