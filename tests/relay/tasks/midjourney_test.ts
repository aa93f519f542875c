/**
 * The Midjourney-proxy relay against a fake Midjourney-proxy on a real port, on every store: a submit is
 * charged its action's price once, the poller takes the task to SUCCESS (or FAILURE, or past the hour) and
 * a failed or timed-out task is refunded exactly once; bad input, refused submits and broken upstreams
 * cost nothing; fetch, list and the image proxy answer only the task's owner (or a signed link).
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest, buildHarness } from "../../support/app.ts";
import { Scheduler } from "../../../jobs/scheduler.ts";
import { relaySetup, userQuota } from "../../support/relay.ts";
import { FAKE_PNG, type FakeMidjourney, startFakeMidjourney } from "../../fake_upstream/midjourney.ts";
import { failWithRefund, pollTasks, taskPollJob } from "../../../jobs/task_poll.ts";
import { asInt, queryOne } from "../../../store/db.ts";
import { insertMjTask, mjTaskOf, updateMjTask } from "../../../store/midjourneys.ts";
import { createToken } from "../../../store/tokens.ts";
import { saveOptions } from "../../../store/options.ts";
import { insertUser } from "../../../store/users.ts";
import { testSecrets } from "../../support/stores.ts";

const MJ_MODELS = "mj_imagine,mj_upscale,mj_variation,mj_describe,mj_blend,mj_reroll,mj_shorten,mj_modal";
/** Default QuotaPerUnit 500,000 × New API's default prices. */
const IMAGINE = 50_000;
const UPSCALE = 25_000;
const START = 1_000_000;

async function setup(h: AppHarness, fake: FakeMidjourney, quota = START) {
  return await relaySetup(h, {
    userQuota: quota,
    channels: [{
      name: "mj",
      type: 2,
      key: "mj-upstream-secret",
      baseUrl: fake.url,
      models: MJ_MODELS,
      group: "default",
    }],
    options: {
      "fetch_setting.allow_private_ip": "true",
      "fetch_setting.allowed_ports": "[]",
    },
  });
}

const mj = (h: AppHarness, key: string, path: string, body?: unknown) =>
  h.call(body === undefined ? "GET" : "POST", path, body, { authorization: `Bearer ${key}` });

async function logCount(h: AppHarness, type: number, userId: number): Promise<number> {
  await h.deps.billing.flush();
  return asInt(
    (await queryOne(h.deps.logDb, "SELECT COUNT(*) AS n FROM logs WHERE type = ? AND user_id = ?", [
      type,
      userId,
    ]))
      ?.n,
  );
}

async function withFake(fn: (fake: FakeMidjourney) => Promise<void>) {
  const fake = await startFakeMidjourney();
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

appTest(
  "midjourney imagine: charged once at submit, polled to SUCCESS, image served to its owner",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const res = await mj(h, s.key, "/mj/submit/imagine", { prompt: "a red fox" });
      assertEquals(res.status, 200);
      const body = await res.json();
      assertEquals(body.code, 1);
      const id = body.result as string;
      assert(id);
      assertEquals(fake.requests.at(-1)!.secret, "mj-upstream-secret");
      assertEquals(await userQuota(h, s.userId), START - IMAGINE);
      assertEquals(await logCount(h, 2, s.userId), 1);
      const row = await mjTaskOf(h.deps.db, s.userId, id);
      assertEquals(row?.quota, IMAGINE);
      assertEquals(row?.action, "IMAGINE");

      let task = await (await mj(h, s.key, `/mj/task/${id}/fetch`)).json();
      assertEquals([task.id, task.status, task.progress], [id, "", "0%"]);

      await pollTasks(h.deps);
      task = await (await mj(h, s.key, `/mj/task/${id}/fetch`)).json();
      assertEquals([task.status, task.progress], ["IN_PROGRESS", "50%"]);
      await pollTasks(h.deps);
      task = await (await mj(h, s.key, `/mj/task/${id}/fetch`)).json();
      assertEquals([task.status, task.progress], ["SUCCESS", "100%"]);
      assertEquals(task.buttons.length, 4);
      assert(task.imageUrl.includes(`/mj/image/${id}?sig=`), task.imageUrl);
      // A success costs nothing more, and the poller leaves finished tasks alone.
      assertEquals((await pollTasks(h.deps)).updated, 0);
      assertEquals(await userQuota(h, s.userId), START - IMAGINE);

      // The signed link works without a key; the owner's key works without the link.
      const signed = await h.app.request(new URL(task.imageUrl).pathname + new URL(task.imageUrl).search);
      assertEquals(signed.status, 200);
      assertEquals(new Uint8Array(await signed.arrayBuffer()), FAKE_PNG);
      assertEquals((await mj(h, s.key, `/mj/image/${id}`)).status, 200);
      assertEquals((await h.app.request(`/mj/image/${id}?sig=forged`)).status, 400);

      // Another user sees nothing of it.
      const other = await insertUser(h.deps.db, { username: "other", passwordHash: "x", quota: START });
      await h.deps.cache.publish({ kind: "user", id: other });
      const { token, key } = await createToken(h.deps.db, testSecrets.cryptoSecret, other, {
        name: "o",
        unlimitedQuota: true,
      });
      await h.deps.cache.publish({ kind: "token", id: token.id });
      assertEquals((await mj(h, key, `/mj/image/${id}`)).status, 400);
      const foreign = await mj(h, key, `/mj/task/${id}/fetch`);
      assertEquals(foreign.status, 400);
      assertEquals((await foreign.json()).description, "task_no_found");
      assertEquals(await (await mj(h, key, "/mj/task/list-by-condition", { ids: [id] })).json(), []);
      const mine = await (await mj(h, s.key, "/mj/task/list-by-condition", { ids: [id] })).json();
      assertEquals(mine.map((t: { id: string }) => t.id), [id]);
    }),
);

appTest(
  "midjourney failure: refunded exactly once, even when a second poller read the same row",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const { result: id } = await (await mj(h, s.key, "/mj/submit/imagine", { prompt: "[fake:fail] x" }))
        .json();
      const stale = (await mjTaskOf(h.deps.db, s.userId, id))!;
      assertEquals(await userQuota(h, s.userId), START - IMAGINE);
      await pollTasks(h.deps);
      const counts = await pollTasks(h.deps);
      assertEquals([counts.failed, counts.refunded], [1, IMAGINE]);
      const task = await (await mj(h, s.key, `/mj/task/${id}/fetch`)).json();
      assertEquals([task.status, task.progress], ["FAILURE", "100%"]);
      assert(task.failReason.includes("fake failure"));
      assertEquals(await userQuota(h, s.userId), START);
      assertEquals(await logCount(h, 6, s.userId), 1);
      // A poller holding the row as it was read before: its compare-and-swap loses, nothing is refunded.
      const late = await failWithRefund(
        h.deps,
        stale,
        "late",
        (tx) =>
          updateMjTask(tx, stale, { ...stale, status: "FAILURE", progress: "100%", failReason: "late" }),
      );
      assertEquals(late, { moved: false, refunded: 0 });
      assertEquals((await pollTasks(h.deps)).refunded, 0);
      assertEquals(await userQuota(h, s.userId), START);
      assertEquals(await logCount(h, 6, s.userId), 1);
    }),
);

appTest("midjourney task stuck past an hour fails and is refunded once", (h) =>
  withFake(async (fake) => {
    const s = await setup(h, fake);
    const { result: id } = await (await mj(h, s.key, "/mj/submit/imagine", { prompt: "[fake:hang] x" }))
      .json();
    await pollTasks(h.deps);
    assertEquals((await mjTaskOf(h.deps.db, s.userId, id))?.status, "IN_PROGRESS");
    const later = () => Date.now() + 2 * 3600_000;
    const counts = await pollTasks(h.deps, { now: later });
    assertEquals(counts.refunded, IMAGINE);
    const row = (await mjTaskOf(h.deps.db, s.userId, id))!;
    assertEquals([row.status, row.progress], ["FAILURE", "100%"]);
    assert(row.failReason.includes("timed out"));
    assertEquals((await pollTasks(h.deps, { now: later })).refunded, 0);
    assertEquals(await userQuota(h, s.userId), START);
  }));

appTest(
  "midjourney bad input, refused submits and broken upstreams are not charged",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const sent = () => fake.requests.filter((r) => r.path.includes("/submit/")).length;
      let res = await mj(h, s.key, "/mj/submit/imagine", {});
      assertEquals(res.status, 400);
      assertEquals(await res.json(), {
        code: 4,
        description: "prompt_is_required",
        result: "",
        type: "upstream_error",
      });
      res = await h.call("POST", "/mj/submit/imagine", "{not json", { authorization: `Bearer ${s.key}` });
      assertEquals((await res.json()).description, "bind_request_body_failed");
      res = await mj(h, s.key, "/mj/submit/simple-change", { content: "nonsense" });
      assertEquals((await res.json()).description, "content_parse_failed");
      res = await mj(h, s.key, "/mj/submit/change", { taskId: "404", action: "UPSCALE", index: 1 });
      assertEquals((await res.json()).description, "task_not_found");
      assertEquals(sent(), 0);

      // The upstream refuses the prompt (code 24): answered as it is, nothing charged, nothing to poll.
      res = await mj(h, s.key, "/mj/submit/imagine", { prompt: "[fake:banned] x" });
      assertEquals((await res.json()).code, 24);
      // The upstream is down.
      fake.failSubmitsWith = 502;
      res = await mj(h, s.key, "/mj/submit/imagine", { prompt: "fine" });
      assertEquals(res.status, 400);
      assertEquals((await res.json()).code, 5);
      fake.failSubmitsWith = 0;
      assertEquals(await userQuota(h, s.userId), START);
      assertEquals(await logCount(h, 2, s.userId), 0);
      assertEquals((await pollTasks(h.deps)).updated, 0);

      // Not enough quota: refused before the upstream is called.
      const poor = await relaySetup(h, { userQuota: IMAGINE - 1, username: "poor", channels: [] });
      const before = sent();
      res = await mj(h, poor.key, "/mj/submit/imagine", { prompt: "x" });
      assertEquals(res.status, 400);
      assertEquals(await res.json(), {
        code: 4,
        description: "quota_not_enough",
        result: "",
        type: "upstream_error",
      });
      assertEquals(sent(), before);
      assertEquals(await userQuota(h, poor.userId), IMAGINE - 1);
    }),
);

appTest(
  "midjourney change, simple-change and Plus buttons go to the task's channel at the action's price",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const { result: id } = await (await mj(h, s.key, "/mj/submit/imagine", { prompt: "a cat" })).json();
      // Not finished yet: New API's MjActionCheckSuccessEnabled refuses the change, free of charge.
      let res = await mj(h, s.key, "/mj/submit/change", { taskId: id, action: "UPSCALE", index: 1 });
      assertEquals((await res.json()).description, "task_status_not_success");
      await pollTasks(h.deps);
      await pollTasks(h.deps);
      res = await mj(h, s.key, "/mj/submit/change", { taskId: id, action: "UPSCALE", index: 1 });
      assertEquals((await res.json()).code, 1);
      res = await mj(h, s.key, "/mj/submit/simple-change", { content: `${id} U2` });
      const simple = await res.json();
      assertEquals(simple.code, 1);
      res = await mj(h, s.key, "/mj/submit/action", { taskId: id, customId: "MJ::JOB::upsample::3::fake" });
      assertEquals((await res.json()).code, 1);
      assertEquals((await mjTaskOf(h.deps.db, s.userId, simple.result))?.action, "UPSCALE");
      assertEquals(await userQuota(h, s.userId), START - IMAGINE - 3 * UPSCALE);
      const models = await h.deps.logDb.query<{ model_name: string }>(
        "SELECT model_name FROM logs WHERE type = 2 ORDER BY id",
      );
      assertEquals(models.map((m) => m.model_name), ["mj_imagine", "mj_upscale", "mj_upscale", "mj_upscale"]);

      // A mode prefix is kept on the path sent upstream; queued (22) is shown as submitted (1) and charged.
      res = await mj(h, s.key, "/fast/mj/submit/imagine", { prompt: "[fake:queued] fast" });
      assertEquals((await res.json()).code, 1);
      assertEquals(fake.requests.at(-1)!.path, "/fast/mj/submit/imagine");
      assertEquals(await userQuota(h, s.userId), START - 2 * IMAGINE - 3 * UPSCALE);
    }),
);

appTest(
  "midjourney: two instances on one store run one poller, and a restarted one picks the task up",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const { result: id } = await (await mj(h, s.key, "/mj/submit/imagine", { prompt: "[fake:fail] twice" }))
        .json();
      await pollTasks(h.deps);
      // A second instance on the same database (or this one after a restart): same rows, same lease table.
      const other = await buildHarness(h.store);
      try {
        const fetches = () => fake.requests.filter((r) => r.path === "/mj/task/list-by-condition").length;
        const before = fetches();
        const a = new Scheduler(h.deps.db, "instance-a");
        const b = new Scheduler(other.deps.db, "instance-b");
        const ran = await Promise.all([a.tick(taskPollJob(h.deps)), b.tick(taskPollJob(other.deps))]);
        assertEquals(ran.filter(Boolean).length, 1, "one instance holds the lease");
        assertEquals(fetches(), before + 1, "one batch fetch");
        assertEquals((await mjTaskOf(h.deps.db, s.userId, id))?.status, "FAILURE");
        // Both poll again, lease or not: the task is finished, nothing more is refunded.
        await pollTasks(h.deps);
        await pollTasks(other.deps);
        assertEquals(await userQuota(h, s.userId), START);
        assertEquals(await logCount(h, 6, s.userId), 1);
      } finally {
        await other.close();
      }
    }),
);

appTest(
  "midjourney swap_face and image-seed: priced swap_face, the seed asked of the task's channel",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      let res = await mj(h, s.key, "/mj/insight-face/swap", { sourceBase64: "data:a" });
      assertEquals((await res.json()).description, "sour_base64_and_target_base64_is_required");
      // swap_face is not among the channel's models: no channel, nothing charged.
      res = await mj(h, s.key, "/mj/insight-face/swap", { sourceBase64: "data:a", targetBase64: "data:b" });
      assertEquals(res.status, 400);
      assertEquals(await userQuota(h, s.userId), START);
      const swapper = await relaySetup(h, {
        username: "swapper",
        userQuota: START,
        channels: [{
          name: "mj2",
          type: 5,
          key: "mj-upstream-secret",
          baseUrl: fake.url,
          models: "swap_face",
        }],
      });
      res = await mj(h, swapper.key, "/mj/insight-face/swap", {
        sourceBase64: "data:a",
        targetBase64: "data:b",
      });
      const swap = await res.json();
      assertEquals(swap.code, 1);
      assertEquals((await mjTaskOf(h.deps.db, swapper.userId, swap.result))?.prompt, "InsightFace");
      assertEquals(await userQuota(h, swapper.userId), START - 25_000);

      const seed = await (await mj(h, swapper.key, `/mj/task/${swap.result}/image-seed`)).json();
      assertEquals(seed, { code: 1, description: "成功", result: `seed-${swap.result}` });
      assertEquals(
        (await (await mj(h, s.key, `/mj/task/${swap.result}/image-seed`)).json()).description,
        "task_no_found",
      );
    }),
);

appTest(
  "midjourney: a task New API charged before adoption (no request id) is refunded once on failure",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      // New API's row: charged 50,000 (already out of the wallet), no request id, still running upstream.
      const submitted = await fetch(`${fake.url}/mj/submit/imagine`, {
        method: "POST",
        headers: { "mj-api-secret": "mj-upstream-secret", "content-type": "application/json" },
        body: JSON.stringify({ prompt: "[fake:fail] adopted" }),
      }).then((r) => r.json());
      await insertMjTask(h.deps.db, {
        code: 1,
        userId: s.userId,
        action: "IMAGINE",
        mjId: submitted.result,
        prompt: "[fake:fail] adopted",
        promptEn: "",
        description: "",
        state: "",
        submitTime: Date.now(),
        startTime: 0,
        finishTime: 0,
        imageUrl: "",
        videoUrl: "",
        videoUrls: "",
        status: "",
        progress: "0%",
        failReason: "",
        channelId: s.channelIds[0],
        quota: IMAGINE,
        buttons: "",
        properties: "",
        tokenId: s.tokenId,
        requestId: "",
      });
      await pollTasks(h.deps);
      assertEquals((await pollTasks(h.deps)).refunded, IMAGINE);
      assertEquals((await pollTasks(h.deps)).refunded, 0);
      assertEquals(await userQuota(h, s.userId), START + IMAGINE);
      assertEquals(await logCount(h, 6, s.userId), 1);
    }),
);

appTest(
  "midjourney: no account instance (code 3) disables an auto-ban channel and costs nothing",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      await saveOptions(h.deps.db, { AutomaticDisableChannelEnabled: "true" });
      await h.deps.cache.publish({ kind: "options" });
      const res = await mj(h, s.key, "/mj/submit/imagine", { prompt: "[fake:noinstance] x" });
      assertEquals((await res.json()).code, 3);
      assertEquals(await userQuota(h, s.userId), START);
      const ch = await queryOne(h.deps.db, "SELECT status FROM channels WHERE id = ?", [s.channelIds[0]]);
      assertEquals(asInt(ch?.status), 3);
      const next = await mj(h, s.key, "/mj/submit/imagine", { prompt: "y" });
      assertEquals(next.status, 400);
      assertEquals(await userQuota(h, s.userId), START);
    }),
);

appTest(
  "midjourney submits count against the token's RPM: the refused one is a code 30 429 and costs nothing",
  (h) =>
    withFake(async (fake) => {
      const s = await relaySetup(h, {
        userQuota: START,
        token: { rpmLimit: 1 },
        channels: [{ name: "mj", type: 2, key: "mj-upstream-secret", baseUrl: fake.url, models: MJ_MODELS }],
      });
      assertEquals((await (await mj(h, s.key, "/mj/submit/imagine", { prompt: "one" })).json()).code, 1);
      const second = await mj(h, s.key, "/mj/submit/imagine", { prompt: "two" });
      assertEquals(second.status, 429);
      assertEquals((await second.json()).code, 30);
      assert(second.headers.get("retry-after"));
      assertEquals(await userQuota(h, s.userId), START - IMAGINE);
    }),
);
