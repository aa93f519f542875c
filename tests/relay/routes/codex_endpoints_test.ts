/**
 * Codex tooling's endpoints as New API relays them: `/v1/responses/compact` goes to channels that speak
 * Responses natively, is routed and billed as `{model}-openai-compact` (a channel listing the base model
 * serves it; `*-openai-compact` prices it; unpriced compaction is ratio 0 as in New API), the client's model
 * (after mapping) is what goes upstream. `/v1/alpha/search` goes only to New API/Sub2API upstreams and is
 * billed as one web_search_preview call ($25/1k for gpt-4.1). Bad input is a 400 that reaches no upstream
 * and charges nothing.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, gatewayClient, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { queryOne } from "../../../store/db.ts";

async function lastConsume(h: Parameters<Parameters<typeof appTest>[1]>[0]) {
  await h.deps.billing.flush();
  return await queryOne(
    h.deps.db,
    "SELECT model_name, quota, prompt_tokens, completion_tokens, other FROM logs WHERE type = 2 ORDER BY id DESC LIMIT 1",
  );
}

appTest(
  "responses compact is routed and billed as {model}-openai-compact, via the official SDK",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      channels: [
        fakeChannel(fake.url, {
          models: "gpt-4.1,alias-model",
          modelMapping: JSON.stringify({ "alias-model": "gpt-4.1" }),
        }),
      ],
      options: {
        ModelRatio: JSON.stringify({ "gpt-4.1": 1, "*-openai-compact": 2 }),
        CompletionRatio: JSON.stringify({ "alias-model-openai-compact": 3 }),
      },
    });
    const gw = gatewayClient(h, s.key);
    const before = await userQuota(h, s.userId);
    const input = [{ role: "user" as const, content: "Summarise our long talk about tides and the moon." }];
    const compacted = await gw.responses.compact({ model: "alias-model", input, instructions: "Be terse." });
    assertEquals(compacted.object, "response.compaction");
    assertEquals(compacted.output.at(-1)?.type, "compaction");
    const sent = fake.lastRequest()!;
    assertEquals(sent.path, "/v1/responses/compact");
    assertEquals(JSON.parse(new TextDecoder().decode(sent.body)).model, "gpt-4.1");
    await settled(h);
    const u = compacted.usage;
    const cached = u.input_tokens_details.cached_tokens;
    // (uncached + cached × cache ratio 1 + output × 3) × the `*-openai-compact` ratio 2.
    const expected = ((u.input_tokens - cached) + cached + u.output_tokens * 3) * 2;
    assertEquals(before - (await userQuota(h, s.userId)), expected);
    const row = await lastConsume(h);
    assertEquals(row?.model_name, "alias-model-openai-compact");
    assertEquals(Number(row?.quota), expected);
    assertEquals(Number(row?.prompt_tokens), u.input_tokens);

    const count = fake.requestCount;
    const bad = await h.call("POST", "/v1/responses/compact", { input }, {
      authorization: `Bearer ${s.key}`,
    });
    assertEquals(bad.status, 400);
    assertEquals(typeof (await bad.json()).error.message, "string");
    assertEquals(fake.requestCount, count);
  },
);

appTest(
  "compaction is free when unpriced (New API's ratio 0) and refused on channels without native Responses",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      // DeepSeek (type 43) speaks Chat only: it cannot serve compaction.
      channels: [
        fakeChannel(fake.url, { type: 43, models: "test-model" }),
        fakeChannel(fake.url, { models: "gpt-4.1" }),
      ],
    });
    const auth = { authorization: `Bearer ${s.key}` };
    const before = await userQuota(h, s.userId);
    const ok = await h.call(
      "POST",
      "/v1/responses/compact",
      { model: "gpt-4.1", input: "hello there" },
      auth,
    );
    assertEquals(ok.status, 200);
    await settled(h);
    assertEquals(await userQuota(h, s.userId), before);
    const count = fake.requestCount;
    const refused = await h.call("POST", "/v1/responses/compact", { model: "test-model", input: "hi" }, auth);
    assertEquals(refused.status, 503);
    assertEquals((await refused.json()).error.code, "model_not_found");
    assertEquals(fake.requestCount, count);
    assertEquals(await userQuota(h, s.userId), before);
  },
);

appTest("alpha search goes to New API upstreams only and is billed as one web search call", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [
      fakeChannel(fake.url, { type: 1, models: "o4-mini" }),
      fakeChannel(fake.url, { type: 60, models: "gpt-4.1" }),
    ],
    options: { QuotaPerUnit: "500000" },
  });
  const auth = { authorization: `Bearer ${s.key}` };
  const before = await userQuota(h, s.userId);
  const res = await h.call("POST", "/v1/alpha/search", { model: "gpt-4.1", query: "tide tables" }, auth);
  assertEquals(res.status, 200);
  const body = await res.json();
  assert(body.output.includes("tide tables"));
  assertEquals(fake.lastRequest()!.path, "/v1/alpha/search");
  await settled(h);
  // Zero tokens at ratio 1, plus $25 / 1000 × 500,000 quota per dollar.
  assertEquals(before - (await userQuota(h, s.userId)), 12_500);
  const other = JSON.parse(String((await lastConsume(h))?.other));
  assertEquals(other.web_search, true);
  assertEquals(other.web_search_call_count, 1);
  assertEquals(other.web_search_price, 25);

  // An OpenAI channel does not serve it.
  const count = fake.requestCount;
  const refused = await h.call("POST", "/v1/alpha/search", { model: "o4-mini", query: "x" }, auth);
  assertEquals(refused.status, 503);
  const bad = await h.call("POST", "/v1/alpha/search", { query: "x" }, auth);
  assertEquals(bad.status, 400);
  assertEquals(fake.requestCount, count);
});
