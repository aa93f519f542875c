/**
 * A same-dialect request forwarded as the client's bytes (New API's pass-through) tells the upstream what
 * it really is: a JSON body goes with `Content-Type: application/json` whatever the client claimed
 * (`text/plain; charset=latin1`, `application/json; foo=bar`), and a leading UTF-8 byte order mark is
 * dropped, so the upstream parses exactly what the gateway validated. Multipart bodies keep their
 * boundary.
 */
import { appTest } from "../support/app.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { NATIVE_PRICES, nativeSetup } from "../support/native_relay.ts";

const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);
const withBom = (text: string) => new Uint8Array([...BOM, ...new TextEncoder().encode(text)]);

const ROUTES = [
  {
    name: "OpenAI chat",
    path: "/v1/chat/completions",
    upstream: "/v1/chat/completions",
    auth: "authorization",
    body: { model: "chat-openai", messages: [{ role: "user", content: "hi" }] },
  },
  {
    name: "Claude messages",
    path: "/v1/messages",
    upstream: "/v1/messages",
    auth: "x-api-key",
    body: { model: "chat-claude", max_tokens: 32, messages: [{ role: "user", content: "hi" }] },
  },
  {
    name: "Gemini generateContent",
    path: "/v1beta/models/chat-gemini:generateContent",
    upstream: ":generateContent",
    auth: "x-goog-api-key",
    body: { contents: [{ role: "user", parts: [{ text: "hi" }] }] },
  },
];

for (const passThrough of [false, true]) {
  appTest(
    `a pass-through JSON body reaches the upstream as application/json without a BOM${
      passThrough ? " (pass_through_body_enabled)" : ""
    }`,
    async (h) => {
      await using fake = await startFakeUpstream();
      const s = await nativeSetup(h, fake, {
        channel: passThrough ? { setting: JSON.stringify({ pass_through_body_enabled: true }) } : {},
      });
      for (const r of ROUTES) {
        for (
          const claimed of ["text/plain; charset=latin1", "application/json; foo=bar", "application/json"]
        ) {
          for (const bom of [false, true]) {
            const label = `${r.name}, ${claimed}${bom ? ", BOM" : ""}`;
            const json = JSON.stringify(r.body);
            const res = await h.app.request(r.path, {
              method: "POST",
              headers: {
                "content-type": claimed,
                [r.auth]: r.auth === "authorization" ? `Bearer ${s.key}` : s.key,
              },
              body: bom ? withBom(json) : json,
            });
            assertEquals(res.status, 200, `${label}: ${await res.clone().text()}`);
            await res.body?.cancel();
            const got = fake.requestsTo(r.upstream).at(-1)!;
            assertEquals(got.headers.get("content-type"), "application/json", label);
            assert(
              !(got.body[0] === 0xef && got.body[1] === 0xbb && got.body[2] === 0xbf),
              `${label}: the upstream got the BOM`,
            );
            // Parses, and carries what the client sent (a Gemini channel adds its safety settings).
            const sent = JSON.parse(new TextDecoder("utf-8", { ignoreBOM: true }).decode(got.body));
            for (const [k, v] of Object.entries(r.body)) assertEquals(sent[k], v, `${label}: ${k}`);
          }
        }
      }
    },
  );
}

appTest("a multipart body keeps its boundary on the way upstream", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await nativeSetup(h, fake, {
    channel: { models: "chat-openai,whisper-1" },
    options: { ModelRatio: JSON.stringify({ ...JSON.parse(NATIVE_PRICES.ModelRatio), "whisper-1": 1 }) },
  });
  const form = new FormData();
  form.set("model", "whisper-1");
  form.set("file", new File([new Uint8Array(64)], "a.wav", { type: "audio/wav" }));
  const req = new Request("http://gateway.test/v1/audio/transcriptions", {
    method: "POST",
    headers: { authorization: `Bearer ${s.key}` },
    body: form,
  });
  const sentType = req.headers.get("content-type")!;
  const res = await h.app.request(req);
  assertEquals(res.status, 200, await res.text());
  const got = fake.requestsTo("/v1/audio/transcriptions").at(-1);
  assert(got, "the upstream got the request");
  assertEquals(got.headers.get("content-type"), sentType);
});
