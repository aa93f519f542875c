/**
 * New API's system tasks on every store: root starts a log cleanup (`POST /api/system-task/log-cleanup`),
 * a second start while it is active answers the same task, the master's runner deletes every log row
 * before the target in batches with its progress in `state` and `{deleted_count}` in `result`, and the
 * list, current and by-id routes show it as New API does; a runner that dies mid-task is taken over after
 * a minute without updates; admins below root are refused.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { appTest } from "../support/app.ts";
import { cast } from "../support/console_client.ts";
import { systemTaskJob } from "../../jobs/system_tasks.ts";
import { insertLog, LogType } from "../../store/logs.ts";
import { asInt, nowSeconds } from "../../store/db.ts";
import { claimSystemTask } from "../../store/system_tasks.ts";

appTest("log cleanup as a system task: started once, run in batches, reported", async (h) => {
  const { root, admin } = await cast(h);
  // The runner is driven by hand here: the app's own scheduled one would race the test.
  h.deps.jobs.stop();
  const now = nowSeconds();
  const target = now - 86_400;
  for (let i = 0; i < 7; i++) {
    await insertLog(h.deps.logDb, {
      userId: 1,
      type: LogType.consume,
      content: `old ${i}`,
      createdAt: target - 10 - i,
    });
  }
  await insertLog(h.deps.logDb, {
    userId: 1,
    type: LogType.topup,
    content: "old top-up",
    createdAt: target - 5,
  });
  const kept = await insertLog(h.deps.logDb, {
    userId: 1,
    type: LogType.consume,
    content: "new",
    createdAt: now,
  });

  const started = await root.call("POST", `/api/system-task/log-cleanup?target_timestamp=${target}`);
  assertEquals(started.status, 200, started.text);
  const task = started.body.data;
  assert(/^systask_[A-Za-z0-9]{32}$/.test(task.task_id), task.task_id);
  assertEquals([task.type, task.status, task.active_key, task.payload], [
    "log_cleanup",
    "pending",
    "log_cleanup",
    { target_timestamp: target },
  ]);
  const again = await root.call("POST", `/api/system-task/log-cleanup?target_timestamp=${target - 100}`);
  assertEquals(again.body.data.task_id, task.task_id, "one active cleanup at a time");
  const current = await root.call("GET", "/api/system-task/current?type=log_cleanup");
  assertEquals(current.body.data.task_id, task.task_id);

  // The master's runner, in batches of 3.
  await systemTaskJob(h.deps, "runner-a", { batch: 3 }).run();
  const done = await root.call("GET", `/api/system-task/${task.task_id}`);
  assertEquals([done.body.data.status, done.body.data.result, done.body.data.state], [
    "succeeded",
    { deleted_count: 8 },
    { target_timestamp: target, deleted_count: 8 },
  ]);
  assert(!("active_key" in done.body.data), "an ended task holds no active key");
  const left = await h.deps.logDb.query("SELECT id FROM logs ORDER BY id");
  assertEquals(left.map((r) => asInt(r.id)), [kept]);
  assertEquals((await root.call("GET", "/api/system-task/current?type=log_cleanup")).body.data, null);
  const list = await root.call("GET", "/api/system-task/list?type=log_cleanup");
  assertEquals(list.body.data.map((t: { task_id: string }) => t.task_id), [task.task_id]);

  // A new cleanup may start now; a runner that claimed it and died is taken over after a minute.
  const next =
    (await root.call("POST", `/api/system-task/log-cleanup?target_timestamp=${now + 10}`)).body.data;
  assert(next.task_id !== task.task_id);
  assert(await claimSystemTask(h.deps.db, "log_cleanup", "runner-dead"));
  await systemTaskJob(h.deps, "runner-b").run();
  assertEquals((await root.call("GET", `/api/system-task/${next.task_id}`)).body.data.status, "running");
  await h.deps.db.exec("UPDATE system_tasks SET updated_at = updated_at - 120 WHERE task_id = ?", [
    next.task_id,
  ]);
  await systemTaskJob(h.deps, "runner-b").run();
  const taken = (await root.call("GET", `/api/system-task/${next.task_id}`)).body.data;
  assertEquals([taken.status, taken.result], ["succeeded", { deleted_count: 1 }]);

  // Refusals.
  const missing = await root.call("POST", "/api/system-task/log-cleanup");
  assertEquals([missing.status, missing.body.success], [400, false]);
  const noType = await root.call("GET", "/api/system-task/current");
  assertEquals([noType.status, noType.body.success], [400, false]);
  assertEquals((await root.call("GET", "/api/system-task/systask_nope")).status, 404);
  assertEquals(
    (await admin.call("POST", `/api/system-task/log-cleanup?target_timestamp=${target}`)).status,
    403,
  );
  assertEquals((await admin.call("GET", "/api/system-task/list")).status, 403);
});
