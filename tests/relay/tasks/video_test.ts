/**
 * OpenAI's video API through the gateway with the official SDK, against a fake Sora upstream on a real
 * port, on every store: priced `ModelPrice` × seconds × size ratio, charged once, polled to completed (the
 * content proxied to the owner only) or failed / past TASK_TIMEOUT_MINUTES with exactly one refund; bad
 * input is a 400 that costs nothing.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { gatewayClient, relaySetup, userQuota } from "../../support/relay.ts";
import { FAKE_MP4, type FakeOpenAiVideo, startFakeOpenAiVideo } from "../../fake_upstream/openai_video.ts";
import { pollTasks } from "../../../jobs/task_poll.ts";
import { taskOf } from "../../../store/tasks.ts";

const START = 10_000_000;
/** sora-2 at New API's default price 0.3 × QuotaPerUnit 500,000 = 150,000 per second. */
const PER_SECOND = 150_000;

async function setup(h: AppHarness, fake: FakeOpenAiVideo, username = "payer") {
  return await relaySetup(h, {
    userQuota: START,
    username,
    channels: username !== "payer" ? [] : [{
      name: "sora",
      type: 1,
      key: "sk-upstream-key",
      baseUrl: fake.url,
      models: "sora-2,sora-2-pro",
      group: "default",
    }],
  });
}

async function withFake(fn: (fake: FakeOpenAiVideo) => Promise<void>) {
  const fake = await startFakeOpenAiVideo();
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

appTest(
  "openai videos: create with the SDK, charged seconds × price once, polled to completed, content to the owner",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const client = gatewayClient(h, s.key);
      const video = await client.videos.create({ model: "sora-2", prompt: "a calm lake", seconds: "8" });
      assertEquals([video.object, video.status], ["video", "queued"]);
      assert(
        fake.requests.at(-1)!.contentType?.startsWith("multipart/form-data"),
        "the SDK's multipart is forwarded",
      );
      assertEquals(await userQuota(h, s.userId), START - 8 * PER_SECOND);
      const row = (await taskOf(h.deps.db, s.userId, "1", video.id))!;
      assertEquals([row.quota, row.status], [8 * PER_SECOND, "QUEUED"]);

      await pollTasks(h.deps);
      assertEquals((await client.videos.retrieve(video.id)).status, "in_progress");
      await pollTasks(h.deps);
      const done = await client.videos.retrieve(video.id);
      assertEquals([done.status, done.progress], ["completed", 100]);
      const content = await client.videos.downloadContent(video.id);
      assertEquals(new Uint8Array(await content.arrayBuffer()), FAKE_MP4);
      assertEquals(await userQuota(h, s.userId), START - 8 * PER_SECOND);

      // A 1792-wide size costs 1.666667 × (4 s by default); JSON bodies work too.
      const res = await h.call("POST", "/v1/videos", { model: "sora-2", prompt: "wide", size: "1792x1024" }, {
        authorization: `Bearer ${s.key}`,
      });
      assertEquals(res.status, 200);
      assertEquals(
        await userQuota(h, s.userId),
        START - 8 * PER_SECOND - Math.round(4 * 1.666667 * PER_SECOND),
      );

      const other = await setup(h, fake, "other");
      const foreign = await h.call("GET", `/v1/videos/${video.id}`, undefined, {
        authorization: `Bearer ${other.key}`,
      });
      assertEquals(foreign.status, 404);
      const stolen = await h.call("GET", `/v1/videos/${video.id}/content`, undefined, {
        authorization: `Bearer ${other.key}`,
      });
      assertEquals(stolen.status, 404);
    }),
);

appTest(
  "openai videos: failed and timed-out videos are refunded exactly once; bad input costs nothing",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const call = (body: unknown) =>
        h.call("POST", "/v1/videos", body, { authorization: `Bearer ${s.key}` });
      assertEquals((await call({ model: "sora-2" })).status, 400);
      const bad = await call({ model: "sora-2", prompt: "x", seconds: "-3" });
      assertEquals(bad.status, 400);
      assertEquals((await bad.json()).error.code, "invalid_request");
      assertEquals(fake.requests.length, 0);
      assertEquals(await userQuota(h, s.userId), START);

      const failing = await (await call({ model: "sora-2", prompt: "[fake:fail] x", seconds: "4" })).json();
      const stuck = await (await call({ model: "sora-2", prompt: "[fake:hang] y", seconds: "4" })).json();
      assertEquals(await userQuota(h, s.userId), START - 8 * PER_SECOND);
      await pollTasks(h.deps);
      const c = await pollTasks(h.deps);
      assertEquals(c.refunded, 4 * PER_SECOND);
      const failed = await (await h.call("GET", `/v1/videos/${failing.id}`, undefined, {
        authorization: `Bearer ${s.key}`,
      })).json();
      assertEquals(failed.status, "failed");
      assertEquals(failed.error.message, "fake failure: prompt blocked");
      const later = () => Date.now() + 1441 * 60_000;
      assertEquals((await pollTasks(h.deps, { now: later })).refunded, 4 * PER_SECOND);
      assertEquals((await pollTasks(h.deps, { now: later })).refunded, 0);
      assertEquals((await taskOf(h.deps.db, s.userId, "1", stuck.id))?.status, "FAILURE");
      assertEquals(await userQuota(h, s.userId), START);
    }),
);

appTest(
  "New API's /v1/video/generations: duration as seconds, the task envelope on fetch",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const auth = { authorization: `Bearer ${s.key}` };
      const res = await h.call("POST", "/v1/video/generations", {
        model: "sora-2",
        prompt: "rain",
        duration: 5,
      }, auth);
      assertEquals(res.status, 200);
      const created = await res.json();
      assert(created.task_id && created.task_id === created.id);
      assertEquals(fake.videos.get(created.task_id)?.seconds, "5");
      assertEquals(await userQuota(h, s.userId), START - 5 * PER_SECOND);
      await pollTasks(h.deps);
      await pollTasks(h.deps);
      const got = await (await h.call("GET", `/v1/video/generations/${created.task_id}`, undefined, auth))
        .json();
      assertEquals([got.code, got.data.task_id, got.data.status, got.data.progress], [
        "success",
        created.task_id,
        "SUCCESS",
        "100%",
      ]);
      const missing = await h.call("GET", "/v1/video/generations/nope", undefined, auth);
      assertEquals(missing.status, 400);
      assertEquals((await missing.json()).code, "task_not_exist");
    }),
);

appTest(
  "openai videos remix: the original's channel, model and length, charged once; only a completed video",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const client = gatewayClient(h, s.key);
      const video = await client.videos.create({ model: "sora-2", prompt: "a fox", seconds: "4" });
      const early = await h.call("POST", `/v1/videos/${video.id}/remix`, { prompt: "at night" }, {
        authorization: `Bearer ${s.key}`,
      });
      assertEquals(early.status, 400);
      assertEquals(await userQuota(h, s.userId), START - 4 * PER_SECOND);
      await pollTasks(h.deps);
      await pollTasks(h.deps);
      const remixed = await client.videos.remix(video.id, { prompt: "at night" });
      assertEquals(remixed.remixed_from_video_id, video.id);
      assertEquals(await userQuota(h, s.userId), START - 8 * PER_SECOND);
      assertEquals((await taskOf(h.deps.db, s.userId, "1", remixed.id))?.action, "remix");
      const other = await setup(h, fake, "other");
      const stolen = await h.call("POST", `/v1/videos/${video.id}/remix`, { prompt: "mine" }, {
        authorization: `Bearer ${other.key}`,
      });
      assertEquals(stolen.status, 404);
    }),
);
