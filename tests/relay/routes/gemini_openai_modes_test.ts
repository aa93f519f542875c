/**
 * OpenAI embeddings and image generation on a Gemini channel (503 before), driven by the official `openai`
 * SDK: embeddings go to `:batchEmbedContents` (one request per input, each naming `models/{model}`), the
 * answer is OpenAI's (base64 when the SDK asks, which it does by default) with the exact prompt count it is
 * billed at; images go to Imagen's `:predict` (size → aspect ratio, n → sampleCount), filtered images are
 * dropped and each returned image is billed as 258 prompt tokens (New API's rule). Bad input and a
 * non-Imagen model are 400s that charge nothing.
 */
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { startFakeUpstream } from "../../fake_upstream/mod.ts";
import { fakeChannel, gatewayClient, relaySetup, settled, userQuota } from "../../support/relay.ts";

const EMBED = "gemini-embedding-001";
const IMAGEN = "imagen-4.0-generate-001";

appTest("a Gemini channel serves OpenAI embeddings and Imagen generations, billed exactly", async (h) => {
  await using fake = await startFakeUpstream();
  const s = await relaySetup(h, {
    channels: [
      fakeChannel(fake.url, { type: 24, models: `${EMBED},${IMAGEN},gemini-2.5-flash`, key: "g-key" }),
    ],
    options: {
      ModelRatio: JSON.stringify({ [EMBED]: 1, [IMAGEN]: 2, "gemini-2.5-flash": 1 }),
    },
  });
  const gw = gatewayClient(h, s.key);

  // Embeddings: the SDK's default base64 encoding decodes to the vectors Gemini returned.
  let before = await userQuota(h, s.userId);
  const input = ["The tide is high.", "Bread rises with yeast."];
  const emb = await gw.embeddings.create({ model: EMBED, input, dimensions: 8 });
  const sent = fake.lastRequest()!;
  assertEquals(sent.path, `/v1beta/models/${EMBED}:batchEmbedContents`);
  assertEquals(sent.headers.get("x-goog-api-key"), "g-key");
  assertEquals(sent.json.requests.length, 2);
  assertEquals(sent.json.requests[0].model, `models/${EMBED}`);
  assertEquals(sent.json.requests[1].content.parts[0].text, input[1]);
  assertEquals(sent.json.requests[0].outputDimensionality, 8);
  const direct = await fetch(`${fake.url}/v1beta/models/${EMBED}:batchEmbedContents`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-goog-api-key": "k" },
    body: JSON.stringify(sent.json),
  }).then((r) => r.json());
  assertEquals(emb.data.length, 2);
  emb.data.forEach((d, i) => {
    assertEquals(d.index, i);
    assertEquals(d.embedding.length, 8);
    d.embedding.forEach((v, j) => assert(Math.abs(v - direct.embeddings[i].values[j]) < 1e-6));
  });
  const prompt = emb.usage.prompt_tokens;
  assert(prompt > 0);
  assertEquals(emb.usage.total_tokens, prompt);
  await settled(h);
  assertEquals(before - (await userQuota(h, s.userId)), prompt);

  // Float vectors when asked for.
  const floats = await gw.embeddings.create({ model: EMBED, input: "moon", encoding_format: "float" });
  assertEquals(typeof floats.data[0].embedding[0], "number");

  // Imagen: 3 images asked, the last filtered by the upstream: 2 returned, 2 × 258 tokens × ratio 2.
  before = await userQuota(h, s.userId);
  const img = await gw.images.generate({
    model: IMAGEN,
    prompt: "a lighthouse [[filter]]",
    n: 3,
    size: "1792x1024",
  });
  const predict = fake.lastRequest()!;
  assertEquals(predict.path, `/v1beta/models/${IMAGEN}:predict`);
  assertEquals(predict.json.instances[0].prompt, "a lighthouse [[filter]]");
  assertEquals(predict.json.parameters.sampleCount, 3);
  assertEquals(predict.json.parameters.aspectRatio, "16:9");
  assertEquals(img.data!.length, 2);
  assert(img.data![0].b64_json!.startsWith("iVBOR"));
  await settled(h);
  assertEquals(before - (await userQuota(h, s.userId)), 2 * 258 * 2);

  // Refused before any upstream call, nothing charged.
  const count = fake.requestCount;
  before = await userQuota(h, s.userId);
  const auth = { authorization: `Bearer ${s.key}` };
  const tokens = await h.call("POST", "/v1/embeddings", { model: EMBED, input: [[1, 2, 3]] }, auth);
  assertEquals(tokens.status, 400);
  assertEquals(typeof (await tokens.json()).error.message, "string");
  const notImagen = await h.call(
    "POST",
    "/v1/images/generations",
    { model: "gemini-2.5-flash", prompt: "x" },
    auth,
  );
  assertEquals(notImagen.status, 400);
  assertEquals((await notImagen.json()).error.code, "model_not_supported");
  const noPrompt = await h.call("POST", "/v1/images/generations", { model: IMAGEN }, auth);
  assertEquals(noPrompt.status, 400);
  assertEquals(fake.requestCount, count);
  await settled(h);
  assertEquals(await userQuota(h, s.userId), before);
});
