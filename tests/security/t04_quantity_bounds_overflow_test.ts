/**
 * T04 quantity-bounds-overflow through the relay, beyond chat (relay/routes/bad_input_test.ts): image
 * counts and sizes (JSON and multipart), Claude's max_tokens and Gemini's output caps out of range or
 * mistyped are 400s before any hold or upstream call; the balance is unchanged and no consume row in the
 * ledger is negative.
 */
import { appTest } from "../support/app.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { fakeChannel, heldCount, RELAY_MODELS, relaySetup, userQuota } from "../support/relay.ts";
import { asInt, queryOne } from "../../store/db.ts";

const MODELS = [...RELAY_MODELS, "dall-e-2", "claude-sonnet-4-5"].join(",");

appTest(
  "out-of-range n, sizes and output caps in images, Claude and Gemini are 400s that cost nothing",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      channels: [fakeChannel(fake.url, { models: MODELS })],
      options: {
        ModelPrice: JSON.stringify({ "dall-e-2": 0.02 }),
        ModelRatio: JSON.stringify({ "gpt-4o-mini": 1, "claude-sonnet-4-5": 1 }),
      },
    });
    const before = await userQuota(h, s.userId);
    const bearer = { authorization: `Bearer ${s.key}` };
    const image = (extra: Record<string, unknown>) => ({ model: "dall-e-2", prompt: "a cat", ...extra });
    const claude = (max: unknown) => ({
      model: "claude-sonnet-4-5",
      max_tokens: max,
      messages: [{ role: "user", content: "hi" }],
    });
    const gemini = (config: Record<string, unknown>) => ({
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
      generationConfig: config,
    });
    const cases: [string, string, string, Record<string, string>][] = [
      ["/v1/images/generations", JSON.stringify(image({ n: 18446744073686646784 })), "n", bearer],
      ["/v1/images/generations", JSON.stringify(image({ n: -1 })), "n", bearer],
      ["/v1/images/generations", JSON.stringify(image({ n: "1e9" })), "n", bearer],
      ["/v1/images/generations", JSON.stringify(image({ n: 129 })), "n", bearer],
      ["/v1/images/generations", JSON.stringify(image({ size: "99999x99999" })), "size", bearer],
      ["/v1/messages", JSON.stringify(claude(2 ** 63)), "max_tokens", { "x-api-key": s.key }],
      ["/v1/messages", JSON.stringify(claude(-1)), "max_tokens", { "x-api-key": s.key }],
      ["/v1/messages", JSON.stringify(claude("100")), "max_tokens", { "x-api-key": s.key }],
      [
        "/v1beta/models/gpt-4o-mini:generateContent",
        JSON.stringify(gemini({ maxOutputTokens: 1e12 })),
        "maxOutputTokens",
        { "x-goog-api-key": s.key },
      ],
      [
        "/v1beta/models/gpt-4o-mini:generateContent",
        JSON.stringify(gemini({ candidateCount: 1000 })),
        "candidateCount",
        { "x-goog-api-key": s.key },
      ],
    ];
    for (const [path, body, param, auth] of cases) {
      const res = await h.call("POST", path, body, { "content-type": "application/json", ...auth });
      const text = await res.text();
      assertEquals(res.status, 400, `${path} ${body}: ${text}`);
      assert(text.includes(`${param}: `), `${path} names ${param}: ${text}`);
    }

    const form = new FormData();
    form.set("model", "dall-e-2");
    form.set("prompt", "a cat");
    form.set("n", "1e9");
    form.set("image", new File([new Uint8Array([137, 80, 78, 71])], "cat.png", { type: "image/png" }));
    const edit = await h.app.request("/v1/images/edits", { method: "POST", headers: bearer, body: form });
    assertEquals(edit.status, 400, await edit.text());

    assertEquals(fake.requestCount, 0, "no upstream call");
    assertEquals(await heldCount(h), 0);
    assertEquals(await userQuota(h, s.userId), before, "balance unchanged");
    const negative = await queryOne(h.deps.db, "SELECT COUNT(*) AS n FROM logs WHERE type = 2 AND quota < 0");
    assertEquals(asInt(negative?.n), 0);
  },
);
