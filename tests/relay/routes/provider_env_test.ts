/**
 * Deployment settings New API reads from the environment, through the real relay path: COHERE_SAFETY_SETTING
 * becomes Cohere chat's `safety_mode` (not sent while NONE), and GEMINI_VISION_MAX_IMAGE_NUM refuses a
 * request translated to Gemini that carries more images (400 before any upstream call, nothing charged).
 */
import { appTest } from "../../support/app.ts";
import { assertEquals } from "../../support/assert.ts";
import { fakeChannel, gatewayClient, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { startFakeCohere } from "../../fake_upstream/cohere.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";

const ratio = (m: string) => ({ ModelRatio: JSON.stringify({ [m]: 1 }), PreConsumedQuota: "0" });

for (const mode of [undefined, "CONTEXTUAL"]) {
  appTest(`COHERE_SAFETY_SETTING=${mode ?? "(unset)"} on Cohere chat`, async (h) => {
    await using fake = await startFakeCohere({ key: "co-key-123456" });
    const s = await relaySetup(h, {
      options: ratio("command-a"),
      channels: [fakeChannel(fake.url, { type: 34, key: "co-key-123456", models: "command-a" })],
    });
    const answer = await gatewayClient(h, s.key).chat.completions.create({
      model: "command-a",
      messages: [{ role: "user", content: "hello" }],
    });
    assertEquals(answer.object, "chat.completion");
    assertEquals(fake.lastRequest()!.json.safety_mode, mode);
  }, mode ? { COHERE_SAFETY_SETTING: mode } : {});
}

const image = (n: number) => ({
  type: "image_url" as const,
  image_url: { url: `data:image/png;base64,iVBORw0KGgo${n}` },
});

appTest("GEMINI_VISION_MAX_IMAGE_NUM caps the images of a request translated to Gemini", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    options: ratio("gemini-2.5-flash"),
    channels: [fakeChannel(fake.url, { type: 24, models: "gemini-2.5-flash" })],
  });
  const gw = gatewayClient(h, s.key);
  const ok = await gw.chat.completions.create({
    model: "gemini-2.5-flash",
    messages: [{ role: "user", content: [{ type: "text", text: "what is this" }, image(1), image(2)] }],
  });
  assertEquals(ok.object, "chat.completion");
  const sentParts = fake.lastRequest()!.json.contents[0].parts;
  assertEquals(sentParts.filter((p: { inlineData?: unknown }) => p.inlineData).length, 2);

  await settled(h);
  const count = fake.requestCount;
  const before = await userQuota(h, s.userId);
  const res = await h.call("POST", "/v1/chat/completions", {
    model: "gemini-2.5-flash",
    messages: [{ role: "user", content: [{ type: "text", text: "three" }, image(1), image(2), image(3)] }],
  }, { authorization: `Bearer ${s.key}` });
  assertEquals(res.status, 400);
  assertEquals(
    (await res.json()).error.message.startsWith("too many images in the message, max allowed is 2"),
    true,
  );
  assertEquals(fake.requestCount, count);
  await settled(h);
  assertEquals(await userQuota(h, s.userId), before);
}, { GEMINI_VISION_MAX_IMAGE_NUM: "2" });
