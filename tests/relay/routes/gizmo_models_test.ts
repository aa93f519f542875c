/**
 * GPTs (`gpt-4-gizmo-*`) as New API routes and prices them: any `gpt-4-gizmo-{id}` is served by a channel
 * listing `gpt-4-gizmo-*`, priced by the `gpt-4-gizmo-*` entry (default $0.1 per call), sent upstream under
 * its own name, and matched by a token model limit naming the wildcard.
 */
import { appTest } from "../../support/app.ts";
import { assertEquals } from "../../support/assert.ts";
import { fakeChannel, gatewayClient, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";

appTest(
  "gpt-4-gizmo-{id} routes to a gpt-4-gizmo-* channel and is billed at its per-call price",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      options: { QuotaPerUnit: "500000" },
      channels: [fakeChannel(fake.url, { models: "gpt-4-gizmo-*,gpt-4o-mini" })],
      token: { modelLimitsEnabled: true, modelLimits: "gpt-4-gizmo-*" },
    });
    const gw = gatewayClient(h, s.key);
    const before = await userQuota(h, s.userId);
    const answer = await gw.chat.completions.create({
      model: "gpt-4-gizmo-g-abc123",
      messages: [{ role: "user", content: "hello gpt" }],
    });
    assertEquals(answer.object, "chat.completion");
    assertEquals(fake.lastRequest()!.json.model, "gpt-4-gizmo-g-abc123");
    await settled(h);
    assertEquals(before - (await userQuota(h, s.userId)), 50_000); // $0.1 × 500,000

    // The token's limit names only the GPTs wildcard.
    const count = fake.requestCount;
    const refused = await h.call("POST", "/v1/chat/completions", {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
    }, { authorization: `Bearer ${s.key}` });
    assertEquals(refused.status, 403);
    assertEquals(fake.requestCount, count);
  },
);
