/**
 * `/v1/rerank` on each upstream shape New API serves: Jina's answer passes through; Cohere's (search units,
 * no tokens) is rewritten to `{results, usage}` and billed at the prompt estimate; SiliconFlow's (`meta.tokens`) is billed at its reported
 * tokens. Bad input is a 400 that reaches no upstream and charges nothing.
 */
import { appTest } from "../../support/app.ts";
import { assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, relaySetup, settled, userQuota } from "../../support/relay.ts";

const MODELS = {
  jina: "jina-reranker-v2",
  cohere: "rerank-english-v3.0",
  silicon: "BAAI/bge-reranker-v2-m3",
};
const docs = ["Tides follow the moon.", "Bread rises with yeast.", "The moon pulls the sea."];

appTest(
  "rerank on Jina, Cohere and SiliconFlow channels answers New API's shape, billed exactly",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      channels: [
        fakeChannel(fake.url, { type: 38, models: MODELS.jina, key: "jina-key" }),
        // An OpenAI-compatible proxy serving Cohere's model (answers in Cohere's shape). Native Cohere
        // channels (type 34, `/v2/rerank`) are tested in tests/relay/providers/cohere_test.ts.
        fakeChannel(fake.url, { type: 1, models: MODELS.cohere, key: "cohere-key" }),
        fakeChannel(fake.url, { type: 40, models: MODELS.silicon, key: "sf-key" }),
      ],
      options: {
        ModelRatio: JSON.stringify(Object.fromEntries(Object.values(MODELS).map((m) => [m, 1]))),
        PreConsumedQuota: "0",
      },
    });
    const auth = { authorization: `Bearer ${s.key}` };
    for (const [kind, model] of Object.entries(MODELS)) {
      const before = await userQuota(h, s.userId);
      const res = await h.call("POST", "/v1/rerank", { model, query: "moon tides", documents: docs }, auth);
      assertEquals(res.status, 200, kind);
      const body = await res.json();
      const sent = fake.lastRequest()!;
      assertEquals(sent.path, "/v1/rerank");
      assertEquals(typeof body.results[0].relevance_score, "number");
      const prompt = body.usage.prompt_tokens;
      assertEquals(body.usage.total_tokens, prompt);
      await settled(h);
      assertEquals(before - (await userQuota(h, s.userId)), prompt, kind);
      if (kind === "cohere") {
        // Cohere's answer (search units, no tokens) is rewritten to New API's shape.
        assertEquals(sent.headers.get("authorization"), "Bearer cohere-key");
        assertEquals(body.meta, undefined);
      } else if (kind === "silicon") {
        // The tokens SiliconFlow reported (the fake counts ceil(utf8 bytes / 4) per text), not an estimate.
        const tokens = (t: string) => Math.ceil(new TextEncoder().encode(t).length / 4);
        assertEquals(prompt, tokens("moon tides") + docs.reduce((n, d) => n + tokens(d), 0));
        assertEquals(body.results.length, 3);
      } else {
        assertEquals(body.model, model);
        assertEquals(body.results.length, 3);
      }
    }
    const count = fake.requestCount;
    const bad = await h.call("POST", "/v1/rerank", { model: MODELS.cohere, query: "x" }, auth);
    assertEquals(bad.status, 400);
    assertEquals(typeof (await bad.json()).error.message, "string");
    assertEquals(fake.requestCount, count);
  },
);
