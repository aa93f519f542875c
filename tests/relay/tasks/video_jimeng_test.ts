/**
 * Jimeng video (channel type 51) through the gateway against a fake of Volcengine's visual API that
 * recomputes every request's HMAC-SHA256 signature: New API's `/jimeng/?Action=…` routes and the unified
 * `/v1/video/generations`, one flat ModelPrice charged once, Jimeng 3.0 req_keys rewritten by image count
 * and remembered for the fetch, polled to done (the video served to its owner) or to a non-10000 code with
 * exactly one refund; a wrong secret or a refused body costs nothing.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { relaySetup, userQuota } from "../../support/relay.ts";
import { FAKE_MP4 } from "../../fake_upstream/openai_video.ts";
import {
  type FakeJimeng,
  JIMENG_ACCESS,
  JIMENG_SECRET,
  startFakeJimeng,
} from "../../fake_upstream/jimeng.ts";
import { pollTasks } from "../../../jobs/task_poll.ts";
import { taskOf } from "../../../store/tasks.ts";
import { jimengReqKey } from "../../../relay/tasks/video/jimeng.ts";

const START = 100_000_000;
const QUOTA_PER_UNIT = 500_000;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function setup(h: AppHarness, fake: FakeJimeng, o: { secret?: string; username?: string } = {}) {
  return await relaySetup(h, {
    userQuota: START,
    username: o.username ?? "payer",
    options: {
      ModelPrice: JSON.stringify({ jimeng_vgfm_t2v_l20: 0.4, jimeng_v30_1080p: 0.6 }),
      "fetch_setting.allow_private_ip": "true",
      "fetch_setting.allowed_ports": "[]",
    },
    channels: o.username ? [] : [{
      name: "jimeng",
      type: 51,
      key: `${JIMENG_ACCESS}|${o.secret ?? JIMENG_SECRET}`,
      baseUrl: fake.url,
      models: "jimeng_vgfm_t2v_l20,jimeng_v30_1080p",
      group: "default",
    }],
  });
}

async function withFake(fn: (fake: FakeJimeng) => Promise<void>) {
  const fake = await startFakeJimeng();
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

Deno.test("jimeng 3.0 req_key by image count, as New API rewrites it", () => {
  assertEquals(jimengReqKey("jimeng_v30_1080p", 0), "jimeng_t2v_v30_1080p");
  assertEquals(jimengReqKey("jimeng_v30_1080p", 1), "jimeng_i2v_first_v30_1080");
  assertEquals(jimengReqKey("jimeng_v30_1080p", 2), "jimeng_i2v_first_tail_v30_1080");
  assertEquals(jimengReqKey("jimeng_v30_pro", 2), "jimeng_ti2v_v30_pro");
  assertEquals(jimengReqKey("jimeng_vgfm_t2v_l20", 1), "jimeng_vgfm_t2v_l20");
});

appTest(
  "jimeng: signed submit on /jimeng/, one flat price, polled in_queue → generating → done, video to the owner",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const res = await h.call("POST", "/jimeng/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31", {
        req_key: "jimeng_vgfm_t2v_l20",
        prompt: "a paper boat",
        seed: 42,
        aspect_ratio: "16:9",
      }, bearer(s.key));
      assertEquals(res.status, 200, await res.clone().text());
      const created = await res.json();
      assert(created.id && created.task_id === created.id && created.object === "video");
      const sent = fake.requests.find((r) => r.action === "CVSync2AsyncSubmitTask")!.body;
      assertEquals(sent, {
        req_key: "jimeng_vgfm_t2v_l20",
        prompt: "a paper boat",
        seed: 42,
        aspect_ratio: "16:9",
        frames: 121,
      });
      const price = 0.4 * QUOTA_PER_UNIT;
      assertEquals(await userQuota(h, s.userId), START - price);

      // 3.0 with two images: first-tail req_key, 10 s (241 frames); the fetch asks with the same req_key.
      const tail = await (await h.call("POST", "/v1/video/generations", {
        model: "jimeng_v30_1080p",
        prompt: "from dawn to dusk",
        duration: 10,
        images: ["https://example.com/a.png", "https://example.com/b.png"],
      }, bearer(s.key))).json();
      const tailTask = fake.tasks.get(tail.id)!;
      assertEquals([tailTask.body.req_key, tailTask.body.frames, tailTask.body.image_urls], [
        "jimeng_i2v_first_tail_v30_1080",
        241,
        ["https://example.com/a.png", "https://example.com/b.png"],
      ]);
      assertEquals((await taskOf(h.deps.db, s.userId, "51", tail.id))?.action, "firstTailGenerate");
      assertEquals(await userQuota(h, s.userId), START - price - 0.6 * QUOTA_PER_UNIT);

      await pollTasks(h.deps);
      let got = await (await h.call("POST", "/jimeng/?Action=CVSync2AsyncGetResult&Version=2022-08-31", {
        req_key: "jimeng_vgfm_t2v_l20",
        task_id: created.id,
      }, bearer(s.key))).json();
      assertEquals([got.code, got.data.status, got.data.progress], ["success", "QUEUED", "10%"]);
      await pollTasks(h.deps);
      await pollTasks(h.deps);
      got = await (await h.call(
        "POST",
        "/jimeng/?Action=CVSync2AsyncGetResult",
        { task_id: tail.id },
        bearer(s.key),
      ))
        .json();
      assertEquals([got.data.status, got.data.progress, got.data.result_url], [
        "SUCCESS",
        "100%",
        `${fake.url}/files/${tail.id}.mp4`,
      ]);
      const fetches = fake.requests.filter((r) => r.action === "CVSync2AsyncGetResult");
      assertEquals(fetches.length, 6);
      const video = await (await h.call("GET", `/v1/videos/${created.id}`, undefined, bearer(s.key))).json();
      assertEquals([video.status, video.model], ["completed", "jimeng_vgfm_t2v_l20"]);
      const content = await h.call("GET", `/v1/videos/${created.id}/content`, undefined, bearer(s.key));
      assertEquals(new Uint8Array(await content.arrayBuffer()), FAKE_MP4);
      assertEquals(
        await userQuota(h, s.userId),
        START - price - 0.6 * QUOTA_PER_UNIT,
        "success moves nothing",
      );

      const other = await setup(h, fake, { username: "other" });
      const theirs = await h.call(
        "POST",
        "/jimeng/?Action=CVSync2AsyncGetResult",
        { task_id: created.id },
        bearer(other.key),
      );
      assertEquals(theirs.status, 400);
      assertEquals(
        (await h.call("GET", `/v1/videos/${created.id}/content`, undefined, bearer(other.key))).status,
        404,
      );
      assertEquals((await h.call("POST", "/jimeng/", { req_key: "x" }, bearer(s.key))).status, 400);
    }),
);

appTest(
  "jimeng: a failed task (non-10000 code) is refunded exactly once; a body Jimeng refuses costs nothing",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const failing =
        await (await h.call("POST", "/jimeng/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31", {
          req_key: "jimeng_vgfm_t2v_l20",
          prompt: "[fake:fail] a storm",
        }, bearer(s.key))).json();
      const price = 0.4 * QUOTA_PER_UNIT;
      assertEquals(await userQuota(h, s.userId), START - price);
      assertEquals((await pollTasks(h.deps)).refunded, 0);
      assertEquals((await pollTasks(h.deps)).refunded, 0);
      assertEquals((await pollTasks(h.deps)).refunded, price);
      assertEquals((await pollTasks(h.deps)).refunded, 0);
      const row = await taskOf(h.deps.db, s.userId, "51", failing.id);
      assertEquals([row?.status, row?.failReason], ["FAILURE", "Post Text Risk Not Pass"]);
      assertEquals(await userQuota(h, s.userId), START);

      // Frames Jimeng does not render: its 400 relayed with its message, nothing held.
      const refused = await h.call("POST", "/jimeng/?Action=CVSync2AsyncSubmitTask&Version=2022-08-31", {
        req_key: "jimeng_vgfm_t2v_l20",
        prompt: "x",
        frames: 300,
      }, bearer(s.key));
      assertEquals(refused.status, 400);
      assert((await refused.json()).error.message.startsWith("frames must be 121 or 241"));
      assertEquals(await userQuota(h, s.userId), START);
    }),
);

appTest(
  "jimeng: a channel with the wrong secret is refused by the upstream's signature check, at no cost",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake, { secret: "not-the-secret" });
      const res = await h.call(
        "POST",
        "/v1/video/generations",
        { model: "jimeng_vgfm_t2v_l20", prompt: "x" },
        bearer(s.key),
      );
      assertEquals(res.status, 502);
      assertEquals(fake.tasks.size, 0);
      assertEquals(await userQuota(h, s.userId), START);
    }),
);
