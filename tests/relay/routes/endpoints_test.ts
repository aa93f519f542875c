/**
 * The OpenAI endpoints besides chat, through the gateway with the official SDK: legacy completions
 * (stream and not), moderations, images (JSON and multipart edits, per-call prices × n), speech (binary),
 * transcriptions and translations (multipart), rerank; New API's 501s; the request id and overhead headers.
 */
import OpenAI, { toFile } from "openai";
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, gatewayClient, relaySetup, settled, userQuota } from "../../support/relay.ts";
import { asInt, queryOne } from "../../../store/db.ts";

const MODELS = [
  "gpt-3.5-turbo-instruct",
  "omni-moderation-latest",
  "text-moderation-stable",
  "dall-e-2",
  "tts-1",
  "whisper-1",
  "jina-reranker-v2",
].join(",");

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

appTest(
  "completions, moderations, images, audio and rerank pass through with the SDK's results",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, {
      channels: [fakeChannel(fake.url, { models: MODELS })],
      options: { SelfUseModeEnabled: "true", ModelPrice: JSON.stringify({ "dall-e-2": 0.02 }) },
    });
    const gw = gatewayClient(h, s.key);
    const direct = new OpenAI({ apiKey: "sk-direct", baseURL: `${fake.url}/v1`, maxRetries: 0 });

    const completion = { model: "gpt-3.5-turbo-instruct", prompt: "Say this" };
    assertEquals(await gw.completions.create(completion), await direct.completions.create(completion));
    const streamed = await collect(await gw.completions.create({ ...completion, stream: true }));
    assertEquals(streamed, await collect(await direct.completions.create({ ...completion, stream: true })));
    assertEquals(
      fake.requests.at(-2)!.json.stream_options,
      { include_usage: true },
      "usage forced for billing",
    );

    const moderation = await gw.moderations.create({ input: "hello" });
    assertEquals(fake.lastRequest()!.json.model, "text-moderation-stable", "New API's default model");
    assertEquals(moderation.results[0].flagged, false);

    // The stream above settles just after its last byte: wait for it before reading the balance.
    await settled(h);
    const before = await userQuota(h, s.userId);
    const image = await gw.images.generate({ model: "dall-e-2", prompt: "a cat", n: 2, size: "1024x1024" });
    assertEquals(image.data!.length, 2);
    await settled(h);
    assertEquals(before - await userQuota(h, s.userId), 0.02 * 500_000 * 2, "per-call price × n");

    const png = await toFile(new Uint8Array([137, 80, 78, 71]), "cat.png", { type: "image/png" });
    const edit = await gw.images.edit({
      model: "dall-e-2",
      prompt: "add a hat",
      image: png,
      response_format: "url",
    });
    assert(edit.data![0].url!.endsWith(".png"));
    const sent = fake.lastRequest()!;
    assert(sent.headers.get("content-type")!.startsWith("multipart/form-data"));
    assert(sent.text.includes("add a hat") && sent.text.includes('filename="cat.png"'));

    const speech = await gw.audio.speech.create({ model: "tts-1", voice: "alloy", input: "hello" });
    assertEquals(speech.headers.get("content-type"), "audio/mpeg");
    const audio = new Uint8Array(await speech.arrayBuffer());
    assertEquals(audio.length, 4 + 5 * 16);
    const file = await toFile(audio, "speech.mp3", { type: "audio/mpeg" });
    const transcript = await gw.audio.transcriptions.create({ model: "whisper-1", file });
    assert(transcript.text.startsWith("audio speech.mp3"));
    const translation = await gw.audio.translations.create({
      model: "whisper-1",
      file,
      response_format: "text",
    });
    assert(String(translation).length > 0);

    const rerank = await h.call("POST", "/v1/rerank", {
      model: "jina-reranker-v2",
      query: "deep learning",
      documents: ["a", "deep learning is"],
    }, { authorization: `Bearer ${s.key}` });
    assertEquals(rerank.status, 200);
    assertEquals((await rerank.json()).results.length, 2);
    await settled(h);
    const rows = asInt((await queryOne(h.deps.db, "SELECT COUNT(*) AS n FROM logs WHERE type = 2"))!.n);
    assertEquals(rows, 9, "every call billed once");
  },
);

appTest("a mapped model is renamed inside a multipart body too", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [
      fakeChannel(fake.url, {
        models: "whisper-1",
        modelMapping: JSON.stringify({ "whisper-1": "gpt-4o-transcribe" }),
      }),
    ],
    options: { SelfUseModeEnabled: "true" },
  });
  const file = await toFile(new Uint8Array([1, 2, 3]), "a.mp3", { type: "audio/mpeg" });
  await gatewayClient(h, s.key).audio.transcriptions.create({ model: "whisper-1", file });
  const form = await new Response(fake.lastRequest()!.body, {
    headers: { "content-type": fake.lastRequest()!.headers.get("content-type")! },
  }).formData();
  assertEquals(form.get("model"), "gpt-4o-transcribe");
  assertEquals((form.get("file") as File).size, 3);
});

appTest(
  "unimplemented endpoints are 501, unknown ones 404, both in OpenAI's shape with a request id",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
    const auth = { authorization: `Bearer ${s.key}` };
    for (
      const [method, path] of [
        ["GET", "/v1/files"],
        ["POST", "/v1/files"],
        ["GET", "/v1/files/file-1/content"],
        ["POST", "/v1/fine-tunes"],
        ["GET", "/v1/fine-tunes/ft-1/events"],
        ["DELETE", "/v1/models/gpt-4o-mini"],
      ]
    ) {
      const res = await h.call(method, path, undefined, auth);
      assertEquals(res.status, 501, `${method} ${path}`);
      assertEquals((await res.json()).error.code, "api_not_implemented");
      assert(res.headers.get("x-oneapi-request-id"));
    }
    const unknown = await h.call("POST", "/v1/nothing/here", {}, auth);
    assertEquals(unknown.status, 404);
    assertEquals((await unknown.json()).error.type, "invalid_request_error");
    const missing = await h.call("GET", "/v1/models/no-such-model", undefined, auth);
    assertEquals(missing.status, 404);
    assertEquals((await missing.json()).error.code, "model_not_found");
    assertEquals((await h.call("GET", "/v1/models")).status, 401);
    assertEquals(fake.requestCount, 0);
  },
);

appTest("answers carry the request id and the gateway's own time; CORS is open for API keys", async (h) => {
  await using fake = await startFakeUpstream({ latencyMs: 150 });
  const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
  const res = await h.call("POST", "/v1/chat/completions", {
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "hi" }],
  }, { authorization: `Bearer ${s.key}` });
  await res.body?.cancel();
  const id = res.headers.get("x-oneapi-request-id")!;
  assert(/^\d{14}\d+[A-Za-z0-9]{8}$/.test(id), id);
  const overhead = Number(res.headers.get("x-newapi-overhead-ms"));
  assert(overhead >= 0 && overhead < 150, `overhead ${overhead} ms excludes the upstream's 150 ms`);
  await settled(h);
  const row = await queryOne(h.deps.db, "SELECT request_id FROM logs WHERE type = 2");
  assertEquals(row!.request_id, id);
  const preflight = await h.call("OPTIONS", "/v1/chat/completions", undefined, {
    origin: "https://app.example",
    "access-control-request-method": "POST",
    "access-control-request-headers": "authorization,content-type",
  });
  assertEquals(preflight.headers.get("access-control-allow-origin"), "*");
  assertEquals(preflight.headers.get("access-control-allow-credentials"), null);
});
