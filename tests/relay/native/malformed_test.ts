/**
 * Malformed Claude and Gemini bodies get a 400 in the caller's dialect (Claude's `{type:"error",error}`,
 * Gemini's `{error:{code,message,status}}`) naming the problem, reach no upstream (the fake records
 * nothing), hold nothing and cost nothing; the same for unknown Gemini methods (404) and bad keys
 * (Claude 401, Gemini 400 API_KEY_INVALID).
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { heldCount, userQuota } from "../../support/relay.ts";
import { nativeSetup } from "../../support/native_relay.ts";
import { asInt, queryOne } from "../../../store/db.ts";

const claude = { model: "chat-claude", max_tokens: 64, messages: [{ role: "user", content: "hi" }] };
const gemini = { contents: [{ role: "user", parts: [{ text: "hi" }] }] };

/** [path, body, status, words the message must contain] */
type Case = [string, BodyInit, number, string];

const CLAUDE_CASES: Case[] = [
  ["/v1/messages", "{not json", 400, "not valid JSON"],
  ["/v1/messages", "[1,2]", 400, "JSON object"],
  ["/v1/messages", JSON.stringify({ ...claude, max_tokens: undefined }), 400, "max_tokens"],
  ["/v1/messages", JSON.stringify({ ...claude, messages: "hi" }), 400, "messages"],
  ["/v1/messages", JSON.stringify({ ...claude, messages: [] }), 400, "messages"],
  ["/v1/messages", JSON.stringify({ ...claude, messages: [{ role: "robot", content: "hi" }] }), 400, "role"],
  [
    "/v1/messages",
    JSON.stringify({ ...claude, messages: [{ role: "user", content: [{ type: "image", source: {} }] }] }),
    400,
    "source",
  ],
  ["/v1/messages", JSON.stringify({ ...claude, stream: "yes" }), 400, "stream"],
  ["/v1/messages", JSON.stringify({ ...claude, model: "" }), 400, "model"],
  ["/v1/messages", JSON.stringify({ ...claude, thinking: { type: "sometimes" } }), 400, "thinking"],
  ["/v1/messages/count_tokens", JSON.stringify({ model: "chat-claude", messages: 7 }), 400, "messages"],
];

const GEMINI_CASES: Case[] = [
  ["/v1beta/models/chat-gemini:generateContent", "{not json", 400, "not valid JSON"],
  ["/v1beta/models/chat-gemini:generateContent", JSON.stringify({}), 400, "contents"],
  ["/v1beta/models/chat-gemini:generateContent", JSON.stringify({ contents: "hi" }), 400, "contents"],
  [
    "/v1/models/chat-gemini:streamGenerateContent?alt=sse",
    JSON.stringify({ contents: [{ role: "user", parts: "hi" }] }),
    400,
    "parts",
  ],
  [
    "/v1beta/models/chat-gemini:generateContent",
    JSON.stringify({ ...gemini, generationConfig: { maxOutputTokens: "many" } }),
    400,
    "maxOutputTokens",
  ],
  [
    "/v1beta/models/chat-gemini:countTokens",
    JSON.stringify({ ...gemini, generateContentRequest: gemini }),
    400,
    "exclusive",
  ],
  ["/v1beta/models/chat-gemini:embedContent", JSON.stringify({ content: {} }), 400, "content.parts"],
  ["/v1beta/models/chat-gemini:batchEmbedContents", JSON.stringify({ requests: [] }), 400, "requests"],
  ["/v1beta/models/chat-gemini:predictLongRunning", JSON.stringify(gemini), 404, "not supported"],
  ["/v1beta/models/chat-gemini", JSON.stringify(gemini), 404, "models/{model}:{method}"],
];

appTest(
  "malformed Claude and Gemini bodies: 400 in the caller's dialect, no upstream call, no charge",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await nativeSetup(h, fake);
    const before = await userQuota(h, s.userId);
    for (const [path, body, status, words] of CLAUDE_CASES) {
      const res = await h.app.request(path, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-api-key": s.key,
          "anthropic-version": "2023-06-01",
        },
        body,
      });
      const text = await res.text();
      assertEquals(res.status, status, `${path} ${body}: ${text}`);
      const json = JSON.parse(text);
      assertEquals(json.type, "error", text);
      assertEquals(json.error.type, "invalid_request_error", text);
      assert(json.error.message.includes(words), `${text} names ${words}`);
      assertEquals(res.headers.get("request-id"), res.headers.get("x-oneapi-request-id"));
    }
    for (const [path, body, status, words] of GEMINI_CASES) {
      const res = await h.app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json", "x-goog-api-key": s.key },
        body,
      });
      const text = await res.text();
      assertEquals(res.status, status, `${path} ${body}: ${text}`);
      const { error } = JSON.parse(text);
      assertEquals(error.code, status, text);
      assertEquals(error.status, status === 400 ? "INVALID_ARGUMENT" : "NOT_FOUND", text);
      assert(error.message.includes(words), `${text} names ${words}`);
    }
    assertEquals(fake.requestCount, 0, "nothing reached the upstream");
    assertEquals(await userQuota(h, s.userId), before, "nothing charged");
    assertEquals(await heldCount(h), 0, "nothing held");
    const rows = await queryOne(h.deps.db, "SELECT COUNT(*) AS n FROM logs WHERE type = 2");
    assertEquals(asInt(rows!.n), 0, "no consume log");
  },
);

appTest("bad keys: Claude's 401 authentication_error, Gemini's 400 API_KEY_INVALID", async (h) => {
  await using fake = await startFakeUpstream();
  await nativeSetup(h, fake);
  const c = await h.call("POST", "/v1/messages", claude, { "x-api-key": "sk-nope" });
  assertEquals(c.status, 401);
  assertEquals((await c.json()).error.type, "authentication_error");
  const g = await h.call("POST", "/v1beta/models/chat-gemini:generateContent?key=sk-nope", gemini);
  assertEquals(g.status, 400);
  const { error } = await g.json();
  assertEquals([error.status, error.details[0].reason], ["INVALID_ARGUMENT", "API_KEY_INVALID"]);
  const list = await h.call("GET", "/v1beta/models", undefined, { "x-goog-api-key": "sk-nope" });
  assertEquals(list.status, 400);
  const anthropicList = await h.call("GET", "/v1/models", undefined, {
    "x-api-key": "sk-nope",
    "anthropic-version": "2023-06-01",
  });
  assertEquals([anthropicList.status, (await anthropicList.json()).type], [401, "error"]);
  assertEquals(fake.requestCount, 0);
});
