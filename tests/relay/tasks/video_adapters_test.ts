/**
 * The Kling, Doubao Seedance and Veo video adaptors through the gateway against fakes speaking each
 * upstream's wire format (Kling's JWT checked with the secret key, Ark's Bearer key, Gemini's API key), on
 * every store: each priced as New API prices it, charged once at submit, polled to success (the video
 * served to its owner) or to failure with exactly one refund; an unpriceable tier costs nothing.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { gatewayClient, relaySetup, userQuota } from "../../support/relay.ts";
import { FAKE_MP4 } from "../../fake_upstream/openai_video.ts";
import {
  ARK_KEY,
  type FakeVideoTasks,
  GEMINI_KEY,
  KLING_ACCESS,
  KLING_SECRET,
  MINIMAX_KEY,
  startFakeVideoTasks,
  VIDU_KEY,
} from "../../fake_upstream/video_tasks.ts";
import { pollTasks } from "../../../jobs/task_poll.ts";
import { taskOf } from "../../../store/tasks.ts";

const START = 100_000_000;
const QUOTA_PER_UNIT = 500_000;

async function setup(h: AppHarness, fake: FakeVideoTasks, username = "payer") {
  return await relaySetup(h, {
    userQuota: START,
    username,
    options: {
      ModelPrice: JSON.stringify({
        "kling-v1": 0.5,
        "kling-v2-master": 1,
        "viduq2-pro": 0.25,
        "doubao-seedance-2-0-260128": 1,
        "doubao-seedance-2-0-fast-260128": 1,
        "doubao-seedance-1-0-pro-250528": 0.2,
        "veo-3.1-fast-generate-preview": 0.15,
        "veo-3.0-generate-001": 0.4,
        "MiniMax-Hailuo-02": 0.3,
        viduq2: 0.25,
      }),
      "fetch_setting.allow_private_ip": "true",
      "fetch_setting.allowed_ports": "[]",
    },
    channels: username !== "payer" ? [] : [
      {
        name: "kling",
        type: 50,
        key: `${KLING_ACCESS}|${KLING_SECRET}`,
        baseUrl: fake.url,
        models: "kling-v1,kling-v2-master",
        group: "default",
      },
      {
        name: "seedance",
        type: 54,
        key: ARK_KEY,
        baseUrl: fake.url,
        models: "doubao-seedance-2-0-260128,doubao-seedance-2-0-fast-260128,doubao-seedance-1-0-pro-250528",
        group: "default",
      },
      {
        name: "gemini",
        type: 24,
        key: GEMINI_KEY,
        baseUrl: fake.url,
        models: "veo-3.1-fast-generate-preview,veo-3.0-generate-001",
        group: "default",
      },
      {
        name: "minimax",
        type: 35,
        key: MINIMAX_KEY,
        baseUrl: fake.url,
        models: "MiniMax-Hailuo-02",
        group: "default",
      },
      {
        name: "vidu",
        type: 52,
        key: VIDU_KEY,
        baseUrl: fake.url,
        models: "viduq2,viduq2-pro",
        group: "default",
      },
    ],
  });
}

async function withFake(fn: (fake: FakeVideoTasks) => Promise<void>) {
  const fake = await startFakeVideoTasks();
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

appTest(
  "kling: native routes, JWT auth, one flat price, polled to succeed, video to the owner",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const res = await h.call("POST", "/kling/v1/videos/text2video", {
        model_name: "kling-v1",
        prompt: "a cat on a piano",
        duration: "10",
        mode: "pro",
        negative_prompt: "blur",
      }, bearer(s.key));
      assertEquals(res.status, 200);
      const created = await res.json();
      assert(created.id && created.task_id === created.id && created.object === "video");
      const sent = fake.requests.find((r) => r.path === "/v1/videos/text2video")!.body!;
      assertEquals([sent.model_name, sent.mode, sent.duration, sent.negative_prompt], [
        "kling-v1",
        "pro",
        "10",
        "blur",
      ]);
      const price = 0.5 * QUOTA_PER_UNIT;
      assertEquals(await userQuota(h, s.userId), START - price);
      assertEquals((await taskOf(h.deps.db, s.userId, "50", created.id))?.action, "textGenerate");

      const img = await h.call("POST", "/kling/v1/videos/image2video", {
        model_name: "kling-v1",
        prompt: "make it move",
        image: "https://example.com/a.png",
      }, bearer(s.key));
      const imgTask = await img.json();
      assertEquals((await taskOf(h.deps.db, s.userId, "50", imgTask.id))?.action, "generate");
      assertEquals(fake.tasks.get(imgTask.id)?.body.image, "https://example.com/a.png");

      await pollTasks(h.deps);
      let got =
        await (await h.call("GET", `/kling/v1/videos/text2video/${created.id}`, undefined, bearer(s.key)))
          .json();
      assertEquals([got.code, got.data.status], ["success", "IN_PROGRESS"]);
      await pollTasks(h.deps);
      got =
        await (await h.call("GET", `/kling/v1/videos/image2video/${imgTask.id}`, undefined, bearer(s.key)))
          .json();
      assertEquals([got.data.status, got.data.progress], ["SUCCESS", "100%"]);
      assertEquals(got.data.result_url, `${fake.url}/files/${imgTask.id}.mp4`);
      const video = await (await h.call("GET", `/v1/videos/${created.id}`, undefined, bearer(s.key))).json();
      assertEquals([video.status, video.model, video.metadata.url], [
        "completed",
        "kling-v1",
        `${fake.url}/files/${created.id}.mp4`,
      ]);
      const content = await h.call("GET", `/v1/videos/${created.id}/content`, undefined, bearer(s.key));
      assertEquals(new Uint8Array(await content.arrayBuffer()), FAKE_MP4);
      assertEquals(await userQuota(h, s.userId), START - 2 * price);

      const other = await setup(h, fake, "other");
      assertEquals(
        (await h.call("GET", `/kling/v1/videos/text2video/${created.id}`, undefined, bearer(other.key)))
          .status,
        400,
      );
      assertEquals(
        (await h.call("GET", `/v1/videos/${created.id}/content`, undefined, bearer(other.key))).status,
        404,
      );
    }),
);

appTest(
  "kling: an upstream refusal costs nothing; a failed task is refunded exactly once",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      // A length Kling does not render: its code 1201, relayed as a 400 with its message.
      const refused = await h.call("POST", "/kling/v1/videos/text2video", {
        model_name: "kling-v1",
        prompt: "x",
        duration: "7",
      }, bearer(s.key));
      assertEquals(refused.status, 400);
      assert((await refused.json()).error.message.startsWith("duration must be 5 or 10"));
      assertEquals(await userQuota(h, s.userId), START);
      const failing = await (await h.call("POST", "/v1/video/generations", {
        model: "kling-v2-master",
        prompt: "[fake:fail] x",
      }, bearer(s.key))).json();
      assertEquals(await userQuota(h, s.userId), START - QUOTA_PER_UNIT);
      await pollTasks(h.deps);
      assertEquals((await pollTasks(h.deps)).refunded, QUOTA_PER_UNIT);
      assertEquals((await pollTasks(h.deps)).refunded, 0);
      const row = await taskOf(h.deps.db, s.userId, "50", failing.id);
      assertEquals([row?.status, row?.failReason], ["FAILURE", "fake failure: risk control"]);
      assertEquals(await userQuota(h, s.userId), START);
    }),
);

appTest(
  "doubao seedance: Ark's content body, New API's tier ratios, refused tier costs nothing",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const call = (body: unknown) => h.call("POST", "/v1/video/generations", body, bearer(s.key));
      const res = await call({
        model: "doubao-seedance-2-0-260128",
        prompt: "waves at dusk",
        duration: 5,
        image: "https://example.com/first.png",
        metadata: { resolution: "1080p", ratio: "16:9" },
      });
      assertEquals(res.status, 200);
      const created = await res.json();
      const sent = fake.tasks.get(created.task_id)!.body;
      assertEquals(sent.content, [
        { type: "image_url", image_url: { url: "https://example.com/first.png" } },
        { type: "text", text: "waves at dusk" },
      ]);
      assertEquals([sent.resolution, sent.ratio, sent.duration], ["1080p", "16:9", 5]);
      let spent = Math.round(QUOTA_PER_UNIT * 51 / 46);
      assertEquals(await userQuota(h, s.userId), START - spent);

      // 2.0 fast has no 1080p tier: a 400 before anything is held or sent.
      const before = fake.requests.length;
      const bad = await call({
        model: "doubao-seedance-2-0-fast-260128",
        prompt: "x",
        metadata: { resolution: "1080p" },
      });
      assertEquals(bad.status, 400);
      assertEquals((await bad.json()).error.code, "invalid_request");
      assertEquals(fake.requests.length, before);
      // A video among the inputs of 2.0 fast at 720p: 22/37.
      await call({
        model: "doubao-seedance-2-0-fast-260128",
        prompt: "continue",
        metadata: { content: [{ type: "video_url", video_url: { url: "https://example.com/in.mp4" } }] },
      });
      spent += Math.round(QUOTA_PER_UNIT * 22 / 37);
      // Models without tiers: one flat price.
      const flat = await (await call({ model: "doubao-seedance-1-0-pro-250528", prompt: "[fake:fail] no" }))
        .json();
      spent += 0.2 * QUOTA_PER_UNIT;
      assertEquals(await userQuota(h, s.userId), START - spent);

      await pollTasks(h.deps);
      const c = await pollTasks(h.deps);
      assertEquals(c.refunded, 0.2 * QUOTA_PER_UNIT);
      spent -= 0.2 * QUOTA_PER_UNIT;
      const got =
        await (await h.call("GET", `/v1/video/generations/${created.task_id}`, undefined, bearer(s.key)))
          .json();
      assertEquals([got.data.status, got.data.result_url], [
        "SUCCESS",
        `${fake.url}/files/${created.task_id}.mp4`,
      ]);
      const failed = await (await h.call("GET", `/v1/videos/${flat.id}`, undefined, bearer(s.key))).json();
      assertEquals([failed.status, failed.error.message], ["failed", "fake failure: sensitive output"]);
      assertEquals(await userQuota(h, s.userId), START - spent);
    }),
);

appTest(
  "veo: predictLongRunning, the operation polled to done, seconds × 4K ratio, content with the key",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const res = await h.call("POST", "/v1/videos", {
        model: "veo-3.1-fast-generate-preview",
        prompt: "a lighthouse",
        seconds: "6",
        size: "3840x2160",
      }, bearer(s.key));
      assertEquals(res.status, 200);
      const created = await res.json();
      const op = fake.requests.find((r) => r.path.endsWith(":predictLongRunning"))!;
      assertEquals(op.path, "/v1beta/models/veo-3.1-fast-generate-preview:predictLongRunning");
      assertEquals(op.body, {
        instances: [{ prompt: "a lighthouse" }],
        parameters: { durationSeconds: 6, aspectRatio: "16:9", resolution: "4k" },
      });
      let spent = Math.round(0.15 * QUOTA_PER_UNIT * 6 * 2.333333);
      assertEquals(await userQuota(h, s.userId), START - spent);

      // The SDK's multipart create on a Gemini channel; Veo's default length is 8 s.
      const client = gatewayClient(h, s.key);
      const sdk = await client.videos.create({
        model: "veo-3.0-generate-001" as never,
        prompt: "[fake:fail] fog",
      });
      spent += 0.4 * QUOTA_PER_UNIT * 8;
      assertEquals(await userQuota(h, s.userId), START - spent);

      await pollTasks(h.deps);
      assertEquals((await client.videos.retrieve(created.id)).status, "in_progress");
      const c = await pollTasks(h.deps);
      assertEquals(c.refunded, 0.4 * QUOTA_PER_UNIT * 8);
      spent -= 0.4 * QUOTA_PER_UNIT * 8;
      assertEquals((await client.videos.retrieve(created.id)).status, "completed");
      assertEquals((await client.videos.retrieve(sdk.id)).status, "failed");
      const content = await client.videos.downloadContent(created.id);
      assertEquals(new Uint8Array(await content.arrayBuffer()), FAKE_MP4);
      assertEquals(await userQuota(h, s.userId), START - spent);
    }),
);

appTest(
  "hailuo: base_resp codes, the file address fetched once done, one flat price, failure refunded",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const call = (body: unknown) => h.call("POST", "/v1/video/generations", body, bearer(s.key));
      const created = await (await call({ model: "MiniMax-Hailuo-02", prompt: "a kite", size: "1920x1080" }))
        .json();
      assertEquals(fake.tasks.get(created.task_id)?.body.resolution, "1080P");
      assertEquals(fake.tasks.get(created.task_id)?.body.duration, 6);
      const failing =
        await (await call({ model: "MiniMax-Hailuo-02", prompt: "[fake:fail] rain", duration: 10 }))
          .json();
      const price = 0.3 * QUOTA_PER_UNIT;
      assertEquals(await userQuota(h, s.userId), START - 2 * price);
      await pollTasks(h.deps);
      assertEquals((await pollTasks(h.deps)).refunded, price);
      const got =
        await (await h.call("GET", `/v1/video/generations/${created.task_id}`, undefined, bearer(s.key)))
          .json();
      assertEquals([got.data.status, got.data.result_url], [
        "SUCCESS",
        `${fake.url}/files/${created.task_id}.mp4`,
      ]);
      const content = await h.call("GET", `/v1/videos/${created.task_id}/content`, undefined, bearer(s.key));
      assertEquals(new Uint8Array(await content.arrayBuffer()), FAKE_MP4);
      assertEquals((await taskOf(h.deps.db, s.userId, "35", failing.task_id))?.status, "FAILURE");
      assertEquals(await userQuota(h, s.userId), START - price);
    }),
);

appTest(
  "vidu: the route by image count, Token auth, flat price, err_code as the failure",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const call = (body: unknown) => h.call("POST", "/v1/video/generations", body, bearer(s.key));
      const text = await (await call({ model: "viduq2", prompt: "a boat", duration: 4 })).json();
      const ends = await (await call({
        model: "viduq2",
        prompt: "morph",
        images: ["https://example.com/a.png", "https://example.com/b.png"],
      })).json();
      const refs = await (await call({
        model: "viduq2-pro",
        prompt: "[fake:fail] trio",
        images: ["https://example.com/1.png", "https://example.com/2.png", "https://example.com/3.png"],
      })).json();
      assertEquals(fake.tasks.get(text.task_id)?.body.path, "text2video");
      assertEquals(fake.tasks.get(text.task_id)?.body.duration, 4);
      assertEquals(fake.tasks.get(ends.task_id)?.body.path, "start-end2video");
      assertEquals(fake.tasks.get(refs.task_id)?.body.path, "reference2video");
      assertEquals(fake.tasks.get(refs.task_id)?.model, "viduq2");
      assertEquals((await taskOf(h.deps.db, s.userId, "52", ends.task_id))?.action, "firstTailGenerate");
      const price = 0.25 * QUOTA_PER_UNIT;
      assertEquals(await userQuota(h, s.userId), START - 3 * price);
      await pollTasks(h.deps);
      assertEquals((await pollTasks(h.deps)).refunded, price);
      const row = await taskOf(h.deps.db, s.userId, "52", refs.task_id);
      assertEquals([row?.status, row?.failReason], ["FAILURE", "AuditSubmitIllegal"]);
      const done = await (await h.call("GET", `/v1/videos/${text.task_id}`, undefined, bearer(s.key))).json();
      assertEquals([done.status, done.metadata.url], ["completed", `${fake.url}/files/${text.task_id}.mp4`]);
      assertEquals(await userQuota(h, s.userId), START - 2 * price);
    }),
);
