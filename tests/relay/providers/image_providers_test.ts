/**
 * OpenAI image generations on the providers' own image APIs, through the official `openai` SDK against a
 * fake speaking each wire format: DashScope wanx (async task polled to SUCCEEDED) and qwen-image (sync),
 * Zhipu CogView (only CogView's fields sent), Jimeng (Volcengine-signed, the fake recomputes the
 * signature), Replicate (a prediction answered at once, or polled at the channel's own base URL). Each
 * returned image is billed at the model's per-call price; a failed task, a refused signature or a failed
 * prediction is an error in OpenAI's shape that charges nothing.
 */
import OpenAI from "openai";
import { appTest } from "../../support/app.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import {
  fakeChannel,
  gatewayClient,
  heldCount,
  relaySetup,
  settled,
  userQuota,
} from "../../support/relay.ts";
import { FAKE_PNG_B64, startFakeImageProviders } from "../../fake_upstream/image_providers.ts";

const KEY = "img-key";
const AK = "AKLTfakeAccessKey0001";
const SK = "fakeVolcSecretKey0001==";
const MODELS = {
  wanx: "wanx2.1-t2i-turbo",
  qwen: "qwen-image",
  cogview: "cogview-4",
  jimeng: "jimeng_high_aes_general_v21_L",
  jimengBad: "jimeng_bad_key",
  flux: "black-forest-labs/flux-schnell",
};
const PER_IMAGE = 10_000; // 0.02 × 500,000

appTest(
  "image generations on DashScope, Zhipu, Jimeng and Replicate, billed per returned image",
  async (h) => {
    await using fake = await startFakeImageProviders({ key: KEY, jimeng: { accessKey: AK, secretKey: SK } });
    const s = await relaySetup(h, {
      channels: [
        fakeChannel(fake.url, { name: "ali", type: 17, models: `${MODELS.wanx},${MODELS.qwen}`, key: KEY }),
        fakeChannel(fake.url, { name: "zhipu", type: 26, models: MODELS.cogview, key: KEY }),
        fakeChannel(fake.url, { name: "jimeng", type: 51, models: MODELS.jimeng, key: `${AK}|${SK}` }),
        fakeChannel(fake.url, {
          name: "jimeng-bad",
          type: 51,
          models: MODELS.jimengBad,
          key: `${AK}|not-the-secret`,
        }),
        fakeChannel(fake.url, { name: "replicate", type: 56, models: MODELS.flux, key: KEY }),
      ],
      options: {
        ModelPrice: JSON.stringify(Object.fromEntries(Object.values(MODELS).map((m) => [m, 0.02]))),
        QuotaPerUnit: "500000",
        // The fake serves its images on loopback; base64 downloads go through the SSRF guard.
        "fetch_setting.allow_private_ip": "true",
        "fetch_setting.allowed_ports": "[]",
      },
    });
    const gw = gatewayClient(h, s.key);
    const charged = async (run: () => Promise<unknown>): Promise<number> => {
      await settled(h);
      const before = await userQuota(h, s.userId);
      await run();
      await settled(h);
      return before - await userQuota(h, s.userId);
    };
    const refusedFree = async (body: OpenAI.ImageGenerateParams) => {
      const sent = fake.requests.length;
      let err: unknown;
      const cost = await charged(() => gw.images.generate(body).then(() => undefined, (e) => (err = e)));
      assert(err instanceof OpenAI.APIError, `${body.model}: ${err}`);
      assert(err.status !== 500 && err.status! >= 400, `${body.model}: status ${err.status}`);
      assertEquals(cost, 0, `${body.model} charged nothing`);
      assert(fake.requests.length > sent, "the upstream was asked");
      return err;
    };

    // DashScope wanx: async task, one RUNNING poll, two images.
    let res!: OpenAI.ImagesResponse;
    let cost = await charged(async () => {
      res = await gw.images.generate({
        model: MODELS.wanx,
        prompt: "a lighthouse [fake:polls=1]",
        n: 2,
        size: "1024x1024",
      });
    });
    const submit = fake.requests.find((r) => r.path.endsWith("/text2image/image-synthesis"))!;
    assertEquals(submit.headers.get("x-dashscope-async"), "enable");
    assertEquals(submit.headers.get("authorization"), `Bearer ${KEY}`);
    assertEquals(submit.json, {
      model: MODELS.wanx,
      input: { prompt: "a lighthouse [fake:polls=1]" },
      parameters: { n: 2, size: "1024*1024" },
    });
    assertEquals(fake.requests.filter((r) => r.path.startsWith("/api/v1/tasks/")).length, 2);
    assertEquals(res.data!.length, 2);
    assert(res.data!.every((d) => d.url?.startsWith(`${fake.url}/img/`)));
    assertEquals(cost, 2 * PER_IMAGE);
    const failed = await refusedFree({ model: MODELS.wanx, prompt: "[fake:fail]" });
    assert(String((failed as Error).message).length > 0);

    // qwen-image: DashScope's synchronous multimodal generation.
    cost = await charged(async () => {
      res = await gw.images.generate({ model: MODELS.qwen, prompt: "a cat", size: "1328x1328" });
    });
    const qwen = fake.lastRequest()!;
    assertEquals(qwen.path, "/api/v1/services/aigc/multimodal-generation/generation");
    assertEquals(qwen.headers.get("x-dashscope-async"), null);
    assertEquals(qwen.json.input.messages[0].content, [{ text: "a cat" }]);
    assertEquals(res.data!.length, 1);
    assertEquals(cost, PER_IMAGE);

    // Zhipu CogView: only its fields (the fake refuses others, `n` included); base64 downloaded when asked.
    cost = await charged(async () => {
      res = await gw.images.generate({
        model: MODELS.cogview,
        prompt: "a fox",
        size: "1024x1024",
        n: 1,
        user: "u-7",
      });
    });
    assertEquals(fake.lastRequest()!.json, {
      model: MODELS.cogview,
      prompt: "a fox",
      size: "1024x1024",
      user_id: "u-7",
    });
    assert(res.data![0].url?.startsWith(`${fake.url}/img/`));
    assertEquals(res.created, 1760000000);
    assertEquals(cost, PER_IMAGE);
    res = await gw.images.generate({ model: MODELS.cogview, prompt: "a fox", response_format: "b64_json" });
    assertEquals(res.data![0].b64_json, FAKE_PNG_B64);
    assertEquals(fake.lastRequest()!.path.startsWith("/img/"), true, "the image was downloaded");
    await refusedFree({ model: MODELS.cogview, prompt: "[fake:fail]" });

    // Jimeng: Volcengine-signed CVProcess; URLs by default, base64 when asked.
    cost = await charged(async () => {
      res = await gw.images.generate({ model: MODELS.jimeng, prompt: "mountains", size: "512x768" });
    });
    const jm = fake.lastRequest()!;
    assertEquals(fake.refused, []);
    assertEquals(jm.url.search, "?Action=CVProcess&Version=2022-08-31");
    assert(jm.headers.get("authorization")!.startsWith(`HMAC-SHA256 Credential=${AK}/`));
    assertEquals(jm.json, {
      req_key: MODELS.jimeng,
      prompt: "mountains",
      return_url: true,
      width: 512,
      height: 768,
    });
    assert(res.data![0].url?.startsWith(`${fake.url}/img/`));
    assertEquals(cost, PER_IMAGE);
    res = await gw.images.generate({
      model: MODELS.jimeng,
      prompt: "mountains",
      response_format: "b64_json",
    });
    assertEquals(fake.lastRequest()!.json.return_url, undefined);
    assertEquals(res.data![0].b64_json, FAKE_PNG_B64);
    await refusedFree({ model: MODELS.jimeng, prompt: "[fake:fail]" });
    await refusedFree({ model: MODELS.jimengBad, prompt: "mountains" });
    assertEquals(fake.refused, ["signature mismatch"]);

    // Replicate: answered within Prefer: wait, or polled at the channel's base (not the answer's urls.get).
    cost = await charged(async () => {
      res = await gw.images.generate({
        model: MODELS.flux,
        prompt: "a bridge",
        n: 2,
        size: "1792x1024",
        quality: "hd",
      });
    });
    const rp = fake.lastRequest()!;
    assertEquals(rp.path, `/v1/models/${MODELS.flux}/predictions`);
    assertEquals(rp.headers.get("prefer"), "wait");
    assertEquals(rp.json, {
      input: { prompt: "a bridge", aspect_ratio: "16:9", num_outputs: 2, prompt_upsampling: true },
    });
    assertEquals(res.data!.length, 2);
    assertEquals(cost, 2 * PER_IMAGE);
    cost = await charged(async () => {
      res = await gw.images.generate({ model: MODELS.flux, prompt: "a bridge [fake:slow]" });
    });
    assert(/^\/v1\/predictions\/p\d+$/.test(fake.lastRequest()!.path), "polled on the fake");
    assertEquals(res.data!.length, 1);
    assertEquals(cost, PER_IMAGE);
    await refusedFree({ model: MODELS.flux, prompt: "[fake:fail]" });

    // Image-only channels serve nothing else.
    const chat = await gw.chat.completions.create({
      model: MODELS.jimeng,
      messages: [{ role: "user", content: "hi" }],
    })
      .then(() => undefined, (e) => e);
    assert(chat instanceof OpenAI.APIError && chat.status === 503, String(chat));
    assertEquals(fake.refused, ["signature mismatch"]);
    assertEquals(await heldCount(h), 0);
  },
);
