/**
 * `/v1/images/edits` and `/v1/images/variations` (multipart) with the official `openai` SDK on the channel
 * kinds that serve them: OpenAI, Azure (deployment URL, `api-key`) and an OpenAI-compatible reseller. Billed as
 * New API bills DALL·E: the per-call price × size multiplier (256² → 0.4, 512² → 0.45) × n. New API itself
 * answers 501 for variations; here they are relayed and billed the same way. A body without its image file is
 * a 400 that reaches no upstream and charges nothing.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, gatewayClient, relaySetup, settled, userQuota } from "../../support/relay.ts";

const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);
const png = () => new File([PNG], "in.png", { type: "image/png" });

for (
  const kind of [
    { type: 1, path: "/v1/images" },
    { type: 3, path: "/openai/deployments/dall-e-2/images" },
    { type: 7, path: "/v1/images" },
  ]
) {
  appTest(`image edits and variations on a type ${kind.type} channel, billed per image`, async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      channels: [
        fakeChannel(fake.url, { type: kind.type, models: "dall-e-2", key: "img-key", other: "2024-10-21" }),
      ],
      options: { ModelPrice: JSON.stringify({ "dall-e-2": 0.02 }), QuotaPerUnit: "500000" },
    });
    const gw = gatewayClient(h, s.key);

    let before = await userQuota(h, s.userId);
    const edit = await gw.images.edit({
      model: "dall-e-2",
      image: png(),
      prompt: "add a hat",
      size: "256x256",
    });
    let sent = fake.lastRequest()!;
    assertEquals(sent.path, `${kind.path}/edits`);
    assertEquals(
      kind.type === 3 ? sent.headers.get("api-key") : sent.headers.get("authorization"),
      kind.type === 3 ? "img-key" : "Bearer img-key",
    );
    assertEquals(edit.data!.length, 1);
    await settled(h);
    assertEquals(before - (await userQuota(h, s.userId)), 4000); // 0.02 × 500,000 × 0.4

    before = await userQuota(h, s.userId);
    const variation = await gw.images.createVariation({
      model: "dall-e-2",
      image: png(),
      n: 2,
      size: "512x512",
    });
    sent = fake.lastRequest()!;
    assertEquals(sent.path, `${kind.path}/variations`);
    assert(sent.headers.get("content-type")!.startsWith("multipart/form-data"));
    assertEquals(variation.data!.length, 2);
    await settled(h);
    assertEquals(before - (await userQuota(h, s.userId)), 9000); // 0.02 × 500,000 × 0.45 × 2

    const count = fake.requestCount;
    before = await userQuota(h, s.userId);
    const form = new FormData();
    form.set("model", "dall-e-2");
    form.set("n", "1");
    const res = await h.app.request("http://gateway.test/v1/images/variations", {
      method: "POST",
      headers: { authorization: `Bearer ${s.key}` },
      body: form,
    });
    assertEquals(res.status, 400);
    assertEquals((await res.json()).error.param, "image");
    assertEquals(fake.requestCount, count);
    assertEquals(await userQuota(h, s.userId), before);
  });
}
