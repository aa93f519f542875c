/**
 * The Suno relay against a fake Suno-API on a real port, on every store: a submit is charged its price
 * once, the poller takes the task to SUCCESS with its clips, or to FAILURE (or past TASK_TIMEOUT_MINUTES)
 * with exactly one refund; bad input and refused submits cost nothing; fetch answers only the owner.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { relaySetup, userQuota } from "../../support/relay.ts";
import { type FakeSuno, startFakeSuno } from "../../fake_upstream/suno.ts";
import { pollTasks } from "../../../jobs/task_poll.ts";
import { asInt, queryOne } from "../../../store/db.ts";
import { taskOf } from "../../../store/tasks.ts";

/** Default QuotaPerUnit 500,000 × New API's default prices (suno_music 0.1, suno_lyrics 0.01). */
const MUSIC = 50_000;
const LYRICS = 5_000;
const START = 1_000_000;

async function setup(h: AppHarness, fake: FakeSuno, quota = START, username = "payer") {
  return await relaySetup(h, {
    userQuota: quota,
    username,
    channels: username !== "payer" ? [] : [{
      name: "suno",
      type: 36,
      key: "suno-upstream-key",
      baseUrl: fake.url,
      models: "suno_music,suno_lyrics",
      group: "default",
    }],
  });
}

const call = (h: AppHarness, key: string, path: string, body?: unknown) =>
  h.call(body === undefined ? "GET" : "POST", path, body, { authorization: `Bearer ${key}` });

async function refunds(h: AppHarness, userId: number): Promise<number> {
  await h.deps.billing.flush();
  return asInt(
    (await queryOne(h.deps.logDb, "SELECT COUNT(*) AS n FROM logs WHERE type = 6 AND user_id = ?", [userId]))
      ?.n,
  );
}

async function withFake(fn: (fake: FakeSuno) => Promise<void>) {
  const fake = await startFakeSuno();
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

appTest(
  "suno music: charged once, polled to SUCCESS with clips, fetch is the owner's",
  (h) =>
    withFake(async (fake) => {
      const s = await setup(h, fake);
      const res = await call(h, s.key, "/suno/submit/music", { prompt: "a sea shanty", tags: "folk" });
      assertEquals(res.status, 200);
      const { code, data: id } = await res.json();
      assertEquals(code, "success");
      assertEquals(fake.requests.at(-1)!.auth, "Bearer suno-upstream-key");
      assertEquals((fake.requests.at(-1)!.body as { mv: string }).mv, "chirp-v3-0");
      assertEquals(await userQuota(h, s.userId), START - MUSIC);
      assertEquals((await taskOf(h.deps.db, s.userId, "suno", id))?.quota, MUSIC);

      let task = (await (await call(h, s.key, `/suno/fetch/${id}`)).json()).data;
      assertEquals([task.status, task.progress, task.action], ["NOT_START", "0%", "MUSIC"]);
      await pollTasks(h.deps);
      await pollTasks(h.deps);
      task = (await (await call(h, s.key, `/suno/fetch/${id}`)).json()).data;
      assertEquals([task.status, task.progress], ["SUCCESS", "100%"]);
      assertEquals(task.data[0].audio_url, `https://cdn.example/${id}.mp3`);
      const listed = await (await call(h, s.key, "/suno/fetch", { ids: [id, "nope"] })).json();
      assertEquals(listed.data.map((t: { task_id: string }) => t.task_id), [id]);
      assertEquals(await userQuota(h, s.userId), START - MUSIC);

      const other = await setup(h, fake, START, "other");
      const foreign = await call(h, other.key, `/suno/fetch/${id}`);
      assertEquals(foreign.status, 400);
      assertEquals(await foreign.json(), { code: "task_not_exist", message: "task_not_exist", data: null });
      assertEquals((await (await call(h, other.key, "/suno/fetch", { ids: [id] })).json()).data, []);
    }),
);

appTest("suno failure and timeout: each refunded exactly once", (h) =>
  withFake(async (fake) => {
    const s = await setup(h, fake);
    const failing =
      (await (await call(h, s.key, "/suno/submit/music", { prompt: "[fake:fail] x" })).json()).data;
    const stuck =
      (await (await call(h, s.key, "/suno/submit/lyrics", { prompt: "[fake:hang] y" })).json()).data;
    assertEquals(await userQuota(h, s.userId), START - MUSIC - LYRICS);
    await pollTasks(h.deps);
    const c = await pollTasks(h.deps);
    assertEquals([c.failed, c.refunded], [1, MUSIC]);
    const failed = (await taskOf(h.deps.db, s.userId, "suno", failing))!;
    assertEquals([failed.status, failed.progress], ["FAILURE", "100%"]);
    assert(failed.failReason.includes("fake failure"));
    assertEquals(await userQuota(h, s.userId), START - LYRICS);
    // TASK_TIMEOUT_MINUTES (1440 by default) later, the stuck one fails and is refunded; never twice.
    const later = () => Date.now() + 1441 * 60_000;
    assertEquals((await pollTasks(h.deps, { now: later })).refunded, LYRICS);
    assertEquals((await pollTasks(h.deps, { now: later })).refunded, 0);
    const timedOut = (await taskOf(h.deps.db, s.userId, "suno", stuck))!;
    assertEquals(timedOut.status, "FAILURE");
    assert(timedOut.failReason.includes("timed out"));
    assertEquals(await userQuota(h, s.userId), START);
    assertEquals(await refunds(h, s.userId), 2);
  }));

appTest("suno bad input and refused submits are not charged", (h) =>
  withFake(async (fake) => {
    const s = await setup(h, fake);
    let res = await call(h, s.key, "/suno/submit/lyrics", {});
    assertEquals(res.status, 400);
    assertEquals(await res.json(), { code: "invalid_request", message: "prompt_empty", data: null });
    res = await call(h, s.key, "/suno/submit/karaoke", { prompt: "x" });
    assertEquals((await res.json()).message, "invalid_action");
    res = await call(h, s.key, "/suno/submit/music", { prompt: "[fake:refuse] x" });
    assertEquals(res.status, 500);
    assertEquals((await res.json()).message, "prompt refused");
    assertEquals(fake.requests.filter((r) => r.path.includes("submit")).length, 1);
    const poor = await setup(h, fake, MUSIC - 1, "poor");
    res = await call(h, poor.key, "/suno/submit/music", { prompt: "x" });
    assertEquals(res.status, 403);
    assertEquals((await res.json()).code, "quota_not_enough");
    assertEquals(await userQuota(h, s.userId), START);
    assertEquals(await userQuota(h, poor.userId), MUSIC - 1);
    assertEquals((await pollTasks(h.deps)).updated, 0);
  }));
