/**
 * A crash between a task's charge and its row (issue #19): a real process submits a video and is
 * SIGKILLed by the `task_after_charge` failpoint right after the charge. The submit's intent row, written
 * before the upstream was called, is still there: the poller leaves it alone while a submit could still be
 * running, then fails it and refunds exactly what was charged, once; charge and row never diverge.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { appTest } from "../../support/app.ts";
import { relaySetup, userQuota } from "../../support/relay.ts";
import { storeLocation } from "../../support/stores.ts";
import { startFakeOpenAiVideo } from "../../fake_upstream/openai_video.ts";
import { pollTasks } from "../../../jobs/task_poll.ts";
import { ABANDONED_SUBMIT_MS } from "../../../jobs/task_poll_loop.ts";
import { asInt, queryOne } from "../../../store/db.ts";
import { withTestAuth } from "../../support/test_auth.ts";
import type { AppHarness } from "../../support/app.ts";

const fixture = new URL("./fixtures/submit_and_die.ts", import.meta.url).pathname;
const START = 10_000_000;
/** sora-2: 0.3 × 500,000 per second, 8 seconds. */
const CHARGE = 8 * 150_000;

/** Runs the fixture process, which submits one video with `key` and dies right after the charge. */
async function submitAndDie(h: AppHarness, key: string): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fixture, await storeLocation(h.store, h.deps.db), key],
    env: { FAILPOINTS: "task_after_charge" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(
    out.signal,
    "SIGKILL",
    new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
  );
}

appTest(
  "SIGKILL between a video task's charge and its row: the intent row is refunded exactly once",
  async (h) => {
    const fake = await startFakeOpenAiVideo();
    try {
      const s = await relaySetup(h, {
        userQuota: START,
        channels: [{
          name: "sora",
          type: 1,
          key: "sk-upstream-key",
          baseUrl: fake.url,
          models: "sora-2",
          group: "default",
        }],
      });
      await submitAndDie(h, s.key);
      assertEquals(fake.videos.size, 1, "the upstream accepted the task");

      // The charge is durable; the row is the intent, with no task id.
      assertEquals(await userQuota(h, s.userId), START - CHARGE);
      const intent = await queryOne(
        h.deps.db,
        "SELECT task_id, quota, status, request_id FROM tasks WHERE user_id = ?",
        [
          s.userId,
        ],
      );
      assert(intent, "the intent row was written before the upstream was called");
      assertEquals([String(intent.task_id ?? ""), asInt(intent.quota), intent.status], [
        "",
        CHARGE,
        "NOT_START",
      ]);

      // While a submit could still be running the row is left alone.
      assertEquals((await pollTasks(h.deps)).refunded, 0);
      assertEquals(await userQuota(h, s.userId), START - CHARGE);
      // Past that, it is failed and refunded once, whatever polls again.
      const later = () => Date.now() + ABANDONED_SUBMIT_MS + 60_000;
      assertEquals((await pollTasks(h.deps, { now: later })).refunded, CHARGE);
      assertEquals((await pollTasks(h.deps, { now: later })).refunded, 0);
      assertEquals(await userQuota(h, s.userId), START);
      const row = await queryOne(h.deps.db, "SELECT status, fail_reason FROM tasks WHERE user_id = ?", [
        s.userId,
      ]);
      assertEquals([row?.status, row?.fail_reason], ["FAILURE", "the submit was not completed"]);
      const refunds = await queryOne(
        h.deps.logDb,
        "SELECT COUNT(*) AS n, SUM(quota) AS q FROM logs WHERE type = 6 AND user_id = ?",
        [s.userId],
      );
      assertEquals([asInt(refunds?.n), asInt(refunds?.q)], [1, CHARGE]);
    } finally {
      await fake.close();
    }
  },
);

appTest("a submit the upstream refuses leaves no intent row and no charge", async (h) => {
  const fake = await startFakeOpenAiVideo("another-key");
  try {
    const s = await relaySetup(h, {
      userQuota: START,
      channels: [{ name: "sora", type: 1, key: "sk-upstream-key", baseUrl: fake.url, models: "sora-2" }],
    });
    const res = await h.call("POST", "/v1/videos", { model: "sora-2", prompt: "x" }, {
      authorization: `Bearer ${s.key}`,
    });
    assertEquals(res.status, 502);
    const n = await queryOne(h.deps.db, "SELECT COUNT(*) AS n FROM tasks");
    assertEquals(asInt(n?.n), 0);
    assertEquals(await userQuota(h, s.userId), START);
  } finally {
    await fake.close();
  }
});

appTest(
  "an abandoned intent row behind 1000 running tasks is still failed and refunded in the next pass, and the listing shows it throughout",
  async (h) => {
    const fake = await startFakeOpenAiVideo();
    try {
      const s = await relaySetup(h, {
        userQuota: START,
        channels: [{ name: "sora", type: 1, key: "sk-upstream-key", baseUrl: fake.url, models: "sora-2" }],
      });
      // A backlog the upstream does not know (each fetch 404s, so each stays unfinished), older than the intent.
      const channelId = asInt((await queryOne(h.deps.db, "SELECT id FROM channels LIMIT 1"))?.id);
      const now = Math.floor(Date.now() / 1000);
      for (let i = 0; i < 1000; i += 100) {
        const values = Array.from(
          { length: 100 },
          (_, j) =>
            `(${now}, ${now}, 'video_backlog_${
              i + j
            }', '1', 999999, 'default', ${channelId}, 0, 'generate', 'IN_PROGRESS', '', ${now}, ${now}, 0, '50%', '')`,
        );
        await h.deps.db.exec(
          `INSERT INTO tasks (created_at, updated_at, task_id, platform, user_id, "group", channel_id, quota, action,
            status, fail_reason, submit_time, start_time, finish_time, progress, request_id) VALUES ${
            values.join(", ")
          }`,
        );
      }
      await submitAndDie(h, s.key);
      const call = withTestAuth(h);
      const listed = async () =>
        (await (await call("GET", "/api/task/self?p=1&page_size=10", { as: s.userId })).json()).data;

      // Under way: the row is listed at once, as NOT_START with the quota it holds.
      const before = await listed();
      assertEquals(before.total, 1);
      assertEquals([before.items[0].task_id, before.items[0].status, before.items[0].quota], [
        "",
        "NOT_START",
        CHARGE,
      ]);

      const later = () => Date.now() + ABANDONED_SUBMIT_MS + 60_000;
      assertEquals((await pollTasks(h.deps, { now: later })).refunded, CHARGE);
      assertEquals(await userQuota(h, s.userId), START);
      const after = await listed();
      assertEquals(after.total, 1);
      assertEquals([after.items[0].status, after.items[0].progress, after.items[0].fail_reason], [
        "FAILURE",
        "100%",
        "the submit was not completed",
      ]);
      const stillRunning = await queryOne(
        h.deps.db,
        "SELECT COUNT(*) AS n FROM tasks WHERE user_id = 999999 AND status = 'IN_PROGRESS'",
      );
      assertEquals(asInt(stillRunning?.n), 1000, "the backlog itself is left running");
    } finally {
      await fake.close();
    }
  },
);
