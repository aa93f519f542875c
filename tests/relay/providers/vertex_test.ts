/**
 * Vertex AI channels (type 41) through the real HTTP path: a service-account JSON key becomes a signed JWT
 * exchanged at the key's token endpoint (the fake verifies the RS256 signature) for an access token that is
 * cached until it nears expiry; Gemini models go to `publishers/google`, Claude models to
 * `publishers/anthropic` with `anthropic_version: vertex-2023-10-16`, from every ingress dialect; the region
 * comes from the channel's `other`; API-key channels skip the token.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { providerSetup, settled, streamedChat } from "../../support/relay.ts";
import { startFakeVertex } from "../../fake_upstream/vertex.ts";
import { testChannel } from "../../../relay/health/channel_test.ts";
import { vertexClaudeModel, vertexRegion } from "../../../relay/providers/vertex/index.ts";
import { secretsInPlay } from "../../../relay/pipeline/secrets_in_play.ts";
import type { ChannelView } from "../../../store/cache/catalog.ts";

const GEMINI = "gemini-2.5-flash";
const CLAUDE = "claude-sonnet-4-5-20250929";
const PRICED = { models: [GEMINI, CLAUDE] };

Deno.test("Vertex regions from the channel's other field; dated Claude names in Vertex's spelling", () => {
  assertEquals(vertexRegion("", GEMINI), "global");
  assertEquals(vertexRegion("us-east5", GEMINI), "us-east5");
  assertEquals(
    vertexRegion(JSON.stringify({ default: "europe-west1", [CLAUDE]: "us-east5" }), CLAUDE),
    "us-east5",
  );
  assertEquals(vertexRegion(JSON.stringify({ default: "europe-west1" }), GEMINI), "europe-west1");
  assertEquals(vertexRegion(JSON.stringify({ other: "x" }), GEMINI), "global");
  assertEquals(vertexClaudeModel(CLAUDE), "claude-sonnet-4-5@20250929");
  assertEquals(vertexClaudeModel("claude-3-5-sonnet-20241022"), "claude-3-5-sonnet-v2@20241022");
  assertEquals(vertexClaudeModel("claude-sonnet-4-6"), "claude-sonnet-4-6");
  // The private key inside a JSON key is redacted on its own, line by line too.
  const key = JSON.stringify({
    private_key: "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END PRIVATE KEY-----\n",
  });
  const secrets = secretsInPlay({ channel: { keys: [key] } as unknown as ChannelView, key });
  assert(secrets.includes("MIIEvQIBADANBgkqhkiG9w0B"));
});

appTest(
  "Vertex: Gemini and Claude models from every dialect with one cached service-account token",
  async (h) => {
    await using fake = await startFakeVertex();
    const s = await providerSetup(h, fake.url, {
      type: 41,
      key: JSON.stringify(fake.serviceAccount),
      other: JSON.stringify({ default: "us-central1", [CLAUDE]: "us-east5" }),
    }, PRICED);
    const { gw, claude } = s;
    const messages = [{ role: "user" as const, content: "Describe the sea" }];
    const answer = await gw.chat.completions.create({ model: GEMINI, messages });
    let sent = fake.lastRequest()!;
    assertEquals(
      sent.path,
      `/v1/projects/fake-project/locations/us-central1/publishers/google/models/${GEMINI}:generateContent`,
    );
    assert(sent.headers.get("authorization")!.startsWith("Bearer ya29.fake-"));
    assertEquals(sent.headers.get("x-goog-user-project"), "fake-project");
    assertEquals(sent.json.safetySettings[0].threshold, "BLOCK_NONE");
    assert(answer.choices[0].message.content!.startsWith("Describe the sea"));
    const viaStream = await streamedChat(gw, { model: GEMINI, messages });
    assert(fake.lastRequest()!.url.search.includes("alt=sse"));
    assertEquals(viaStream.text, answer.choices[0].message.content);
    assertEquals(viaStream.usage?.completion_tokens, answer.usage!.completion_tokens);

    // A Gemini client's request passes through as Gemini's body.
    const gem = await h.call("POST", `/v1beta/models/${GEMINI}:generateContent`, {
      contents: [{ role: "user", parts: [{ text: "Describe the sea" }] }],
    }, { "x-goog-api-key": s.key });
    assertEquals(gem.status, 200);
    assertEquals((await gem.json()).candidates[0].content.parts[0].text, answer.choices[0].message.content);

    // Claude on Vertex: rawPredict with Vertex's anthropic_version and no model in the body.
    const msg = await claude.messages.create({
      model: CLAUDE,
      max_tokens: 100,
      messages: [{ role: "user", content: "Tell me about rivers [fake:cache_read=4]" }],
    });
    sent = fake.lastRequest()!;
    assertEquals(
      sent.path,
      "/v1/projects/fake-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict",
    );
    assertEquals(sent.json.anthropic_version, "vertex-2023-10-16");
    assertEquals("model" in sent.json, false);
    assertEquals(msg.usage.cache_read_input_tokens, 4);
    const text = msg.content[0].type === "text" ? msg.content[0].text : "";
    const final = await claude.messages.stream({
      model: CLAUDE,
      max_tokens: 100,
      messages: [{ role: "user", content: "Tell me about rivers [fake:cache_read=4]" }],
    }).finalMessage();
    assert(fake.lastRequest()!.path.endsWith(":streamRawPredict"));
    assertEquals(final.content[0].type === "text" ? final.content[0].text : "", text);
    // ... and for an OpenAI client, translated, streamed.
    const oc = await streamedChat(gw, {
      model: CLAUDE,
      messages: [{ role: "user", content: "Tell me about rivers [fake:cache_read=4]" }],
    });
    assertEquals(oc.text, text);
    assertEquals(oc.usage?.prompt_tokens_details?.cached_tokens, 4);
    const r = await gw.responses.create({ model: CLAUDE, input: "Tell me about rivers [fake:cache_read=4]" });
    assertEquals(r.output_text, text);

    // Seven model calls, one token exchange.
    assertEquals(fake.tokensIssued, 1);
    assertEquals(fake.refused, []);
    await settled(h);
    assertEquals((await h.deps.db.query("SELECT id FROM logs WHERE type = 2")).length, 7);
  },
);

appTest("Vertex: a token near expiry is exchanged again; a wrong private key is refused", async (h) => {
  // 61 s tokens are refreshed one second after issue (a minute before they expire).
  await using fake = await startFakeVertex({ tokenTtlSeconds: 61, apiKey: "vertex-api-key-1" });
  const s = await providerSetup(h, fake.url, {
    type: 41,
    key: JSON.stringify(fake.serviceAccount),
    models: GEMINI,
  }, PRICED);
  const { gw } = s;
  await gw.chat.completions.create({ model: GEMINI, messages: [{ role: "user", content: "one" }] });
  await gw.chat.completions.create({ model: GEMINI, messages: [{ role: "user", content: "two" }] });
  assertEquals(fake.tokensIssued, 1);
  assert(fake.lastRequest()!.path.includes("/locations/global/"));
  await new Promise((r) => setTimeout(r, 1100));
  await gw.chat.completions.create({ model: GEMINI, messages: [{ role: "user", content: "three" }] });
  assertEquals(fake.tokensIssued, 2);

  // Another key under the same account name: the token endpoint's signature check refuses it.
  const other = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const der = new Uint8Array(await crypto.subtle.exportKey("pkcs8", other.privateKey));
  const forged = {
    ...fake.serviceAccount,
    private_key_id: "forged",
    private_key: `-----BEGIN PRIVATE KEY-----\n${
      btoa(String.fromCharCode(...der))
    }\n-----END PRIVATE KEY-----\n`,
  };
  const channel = h.deps.catalog.channel(s.channelIds[0])!;
  const failed = await testChannel(h.deps, { ...channel, keys: [JSON.stringify(forged)] });
  assertEquals(failed.ok, false);
  assert(failed.message.includes("token exchange failed"), failed.message);
  assert(!failed.message.includes("PRIVATE KEY"));
  assertEquals(fake.refused.length, 1);
  assertEquals((await testChannel(h.deps, channel)).ok, true);

  // An API-key channel: no token, no project in the path.
  const keyed = await testChannel(h.deps, {
    ...channel,
    keys: ["vertex-api-key-1"],
    settings: JSON.stringify({ vertex_key_type: "api_key" }),
  });
  assertEquals(keyed.ok, true);
  assertEquals(fake.lastRequest()!.path, `/v1/publishers/google/models/${GEMINI}:generateContent`);
  assertEquals(fake.lastRequest()!.headers.get("x-goog-api-key"), "vertex-api-key-1");
  assertEquals(fake.lastRequest()!.headers.get("authorization"), null);
});
