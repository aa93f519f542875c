/**
 * Image URLs in a request translated to Gemini are fetched through the SSRF guard and sent inline
 * (`inlineData`), as New API's gemini adaptor does; MAX_FILE_DOWNLOAD_MB caps the download. A refused
 * address, a non-image, or an image over the cap is a 400 in OpenAI's shape before Gemini is called, and
 * nothing is charged.
 */
import { appTest } from "../../support/app.ts";
import { assertEquals } from "../../support/assert.ts";
import { fakeChannel, gatewayClient, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";

const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

/** A small image host: a PNG, one over 1 MB, and an HTML page. */
function imageHost() {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/cat.png") return new Response(PNG, { headers: { "content-type": "image/png" } });
    if (path === "/big.png") {
      return new Response(new Uint8Array(1_200_000), { headers: { "content-type": "image/png" } });
    }
    return new Response("<html></html>", { headers: { "content-type": "text/html" } });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, [Symbol.asyncDispose]: () => server.shutdown() };
}

const ask = (url: string) => ({
  model: "gemini-2.5-flash",
  messages: [{
    role: "user" as const,
    content: [{ type: "text" as const, text: "what is this" }, {
      type: "image_url" as const,
      image_url: { url },
    }],
  }],
});

appTest(
  "image URLs are fetched through the SSRF guard and inlined for Gemini, capped by MAX_FILE_DOWNLOAD_MB",
  async (h) => {
    await using fake = await startFakeUpstream();
    await using host = imageHost();
    const s = await relaySetup(h, {
      options: {
        ModelRatio: JSON.stringify({ "gemini-2.5-flash": 1 }),
        PreConsumedQuota: "0",
        "fetch_setting.allow_private_ip": "true",
        "fetch_setting.allowed_ports": "[]",
      },
      channels: [fakeChannel(fake.url, { type: 24, models: "gemini-2.5-flash" })],
    });
    const gw = gatewayClient(h, s.key);
    const ok = await gw.chat.completions.create(ask(`${host.url}/cat.png`));
    assertEquals(ok.object, "chat.completion");
    const parts = fake.lastRequest()!.json.contents[0].parts;
    const inline = parts.find((p: { inlineData?: unknown }) => p.inlineData).inlineData;
    assertEquals(inline.mimeType, "image/png");
    assertEquals(Uint8Array.from(atob(inline.data), (c) => c.charCodeAt(0)), PNG);
    await settled(h);

    const auth = { authorization: `Bearer ${s.key}` };
    const count = fake.requestCount;
    const before = await userQuota(h, s.userId);
    for (
      const [path, words] of [["/big.png", "larger than 1 MB"], ["/page.html", "does not point to an image"]]
    ) {
      const res = await h.call("POST", "/v1/chat/completions", ask(`${host.url}${path}`), auth);
      assertEquals(res.status, 400, path);
      const err = (await res.json()).error;
      assertEquals(err.message.includes(words), true, err.message);
    }
    assertEquals(fake.requestCount, count);
    await settled(h);
    assertEquals(await userQuota(h, s.userId), before);
  },
  { MAX_FILE_DOWNLOAD_MB: "1" },
);

appTest("a private image URL is refused by the SSRF guard (default fetch setting) with a 400", async (h) => {
  await using fake = await startFakeUpstream();
  await using host = imageHost();
  const s = await relaySetup(h, {
    options: { ModelRatio: JSON.stringify({ "gemini-2.5-flash": 1 }), PreConsumedQuota: "0" },
    channels: [fakeChannel(fake.url, { type: 24, models: "gemini-2.5-flash" })],
  });
  const res = await h.call("POST", "/v1/chat/completions", ask(`${host.url}/cat.png`), {
    authorization: `Bearer ${s.key}`,
  });
  assertEquals(res.status, 400);
  assertEquals((await res.json()).error.message.includes("not allowed"), true);
  assertEquals(fake.requestCount, 0);
});
