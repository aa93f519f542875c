/**
 * Channel types whose upstream speaks OpenAI's API and Anthropic's Messages beside it (Ali DashScope 17,
 * MiniMax 35), and an upstream New API (60) that takes every dialect natively, through the real HTTP path
 * against the fake upstream: each request lands on the provider's own path with its auth, Claude clients
 * natively, others translated, streams and usage included.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { providerSetup, settled, streamedChat } from "../../support/relay.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";

const MODEL = "kind-model";
const PRICED = { models: [MODEL] };

const KINDS = [
  {
    type: 17,
    openai: "/compatible-mode/v1/chat/completions",
    claude: "/api/v2/apps/claude-code-proxy/v1/messages",
  },
  { type: 35, openai: "/v1/text/chatcompletion_v2", claude: "/anthropic/v1/messages" },
  { type: 60, openai: "/v1/chat/completions", claude: "/v1/messages" },
  { type: 59, openai: "/v1/chat/completions", claude: "/v1/messages" },
];

for (const kind of KINDS) {
  appTest(
    `type ${kind.type}: OpenAI and Claude clients on the provider's paths, streams and usage`,
    async (h) => {
      await using fake = await startFakeUpstream();
      const s = await providerSetup(h, fake.url, { type: kind.type, key: "kind-key-123" }, PRICED);
      const { gw, claude } = s;
      const messages = [{ role: "user" as const, content: "Describe the sea" }];
      const answer = await gw.chat.completions.create({ model: MODEL, messages });
      assertEquals(fake.lastRequest()!.path, kind.openai);
      assertEquals(fake.lastRequest()!.headers.get("authorization"), "Bearer kind-key-123");
      assert(answer.choices[0].message.content!.startsWith("Describe the sea"));
      const viaStream = await streamedChat(gw, { model: MODEL, messages });
      assertEquals(viaStream.text, answer.choices[0].message.content);
      assertEquals(viaStream.usage?.completion_tokens, answer.usage!.completion_tokens);
      if (kind.type === 17) assertEquals(fake.lastRequest()!.headers.get("x-dashscope-sse"), "enable");

      const msg = await claude.messages.create({ model: MODEL, max_tokens: 100, messages });
      assertEquals(fake.lastRequest()!.path, kind.claude);
      assertEquals(fake.lastRequest()!.headers.get("x-api-key"), "kind-key-123");
      assertEquals(fake.lastRequest()!.json.model, MODEL);
      const final = await claude.messages.stream({ model: MODEL, max_tokens: 100, messages }).finalMessage();
      assertEquals(final.content, msg.content);

      // A Gemini client: natively on New API, translated to OpenAI chat elsewhere.
      const gem = await h.call("POST", `/v1beta/models/${MODEL}:generateContent`, {
        contents: [{ role: "user", parts: [{ text: "Describe the sea" }] }],
      }, { "x-goog-api-key": s.key });
      assertEquals(gem.status, 200);
      assertEquals((await gem.json()).candidates[0].content.parts[0].text, answer.choices[0].message.content);
      assertEquals(
        fake.lastRequest()!.path,
        kind.type >= 59 ? `/v1beta/models/${MODEL}:generateContent` : kind.openai,
      );
      if (kind.type >= 59) {
        assertEquals(fake.lastRequest()!.headers.get("x-goog-api-key"), "kind-key-123");
        await gw.responses.create({ model: MODEL, input: "hello" });
        assertEquals(fake.lastRequest()!.path, "/v1/responses");
        await gw.embeddings.create({ model: MODEL, input: "hello" });
        assertEquals(fake.lastRequest()!.path, "/v1/embeddings");
      }
      await settled(h);
      const rows = await h.deps.db.query("SELECT quota FROM logs WHERE type = 2");
      assert(rows.length >= 5);
    },
  );
}

appTest("type 53 (Submodel): chat on the OpenAI path; other endpoints are not served", async (h) => {
  await using fake = await startFakeUpstream();
  const { gw, ...s } = await providerSetup(h, fake.url, { type: 53, key: "kind-key-123" }, PRICED);
  const answer = await gw.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "hi" }],
  });
  assert(answer.choices[0].message.content!.length > 0);
  assertEquals(fake.lastRequest()!.path, "/v1/chat/completions");
  const embed = await h.call("POST", "/v1/embeddings", { model: MODEL, input: "x" }, {
    authorization: `Bearer ${s.key}`,
  });
  assert(embed.status >= 400);
  assertEquals(fake.requestCount, 1);
});

appTest("type 44 (MokaAI): embeddings at {base}/embeddings with the input as a list", async (h) => {
  await using fake = await startFakeUpstream();
  // The fake serves OpenAI's embeddings under /v1: that is the channel's base URL here.
  const { gw } = await providerSetup(h, `${fake.url}/v1`, { type: 44, key: "kind-key-123" }, PRICED);
  const res = await gw.embeddings.create({ model: MODEL, input: "hello sea" });
  assertEquals(res.data.length, 1);
  assertEquals(fake.lastRequest()!.path, "/v1/embeddings");
  assertEquals(fake.lastRequest()!.json.input, ["hello sea"]);
  assertEquals(fake.lastRequest()!.headers.get("authorization"), "Bearer kind-key-123");
});
