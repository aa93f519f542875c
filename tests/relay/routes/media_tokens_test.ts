/**
 * GET_MEDIA_TOKEN through billing: an upstream that reports no usage is settled at the prompt estimate, and
 * an inline 1024² image in it counts New API's 765 tokens when measured, 255 (3 × 85) with the switch off.
 */
import { appTest } from "../../support/app.ts";
import { assertEquals } from "../../support/assert.ts";
import { fakeChannel, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";

function png(w: number, h: number): string {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, w);
  new DataView(b.buffer).setUint32(20, h);
  return btoa(String.fromCharCode(...b));
}

async function imageSurcharge(h: Parameters<Parameters<typeof appTest>[1]>[0]): Promise<number> {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    options: {
      ModelRatio: JSON.stringify({ "gpt-4o": 1 }),
      CompletionRatio: JSON.stringify({ "gpt-4o": 1 }),
      PreConsumedQuota: "0",
      CountToken: "true",
    },
    channels: [fakeChannel(fake.url, { models: "gpt-4o" })],
  });
  const charge = async (withImage: boolean) => {
    const content: unknown[] = [{ type: "text", text: "[fake:fault=nousage] describe" }];
    if (withImage) {
      content.push({ type: "image_url", image_url: { url: `data:image/png;base64,${png(1024, 1024)}` } });
    }
    const before = await userQuota(h, s.userId);
    const res = await h.call("POST", "/v1/chat/completions", {
      model: "gpt-4o",
      messages: [{ role: "user", content }],
    }, { authorization: `Bearer ${s.key}` });
    assertEquals(res.status, 200, await res.clone().text());
    await res.text();
    await settled(h);
    return before - (await userQuota(h, s.userId));
  };
  const text = await charge(false);
  const image = await charge(true);
  return image - text;
}

appTest("GET_MEDIA_TOKEN on: an inline 1024² image adds 765 prompt tokens", async (h) => {
  assertEquals(await imageSurcharge(h), 765);
});

appTest("GET_MEDIA_TOKEN off: the image adds 3 × 85", async (h) => {
  assertEquals(await imageSurcharge(h), 255);
}, { GET_MEDIA_TOKEN: "false" });
