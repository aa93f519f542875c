/**
 * The runner of New API's system tasks (`store/system_tasks.ts`) on the master, through the scheduler:
 * every few seconds it claims a pending log cleanup and runs it — every log row created before the task's
 * `target_timestamp` deleted from the log database (`deps.logDb`) in bounded batches, the count so far in
 * the task's `state` after each batch, `{deleted_count}` in its `result` at the end — so a cleanup of a
 * table of tens of GB never rides on one HTTP request. A runner that dies mid-task leaves it `running`
 * without updates; after a minute another claims it and goes on (the deletes are idempotent).
 */
import type { Job } from "./scheduler.ts";
import type { Db } from "../store/db.ts";
import { deleteLogsBefore } from "../store/logs.ts";
import { claimSystemTask, finishSystemTask, updateSystemTaskState } from "../store/system_tasks.ts";
import { log } from "../server/logger.ts";

export const LOG_CLEANUP = "log_cleanup";
const BATCH = 5000;

export function systemTaskJob(
  deps: { db: Db; logDb: Db },
  runner: string,
  opts: { tickMs?: number; batch?: number } = {},
): Job {
  return {
    name: "system_tasks",
    intervalMs: opts.tickMs ?? 5000,
    async run() {
      for (;;) {
        const task = await claimSystemTask(deps.db, LOG_CLEANUP, runner);
        if (!task) return;
        let deleted = 0;
        try {
          const target = Number(
            (JSON.parse(task.payload || "{}") as { target_timestamp?: unknown }).target_timestamp,
          );
          if (!Number.isSafeInteger(target) || target <= 0) throw new Error("target_timestamp is missing");
          const before =
            Number((JSON.parse(task.state || "{}") as { deleted_count?: unknown }).deleted_count) || 0;
          deleted = before;
          for (;;) {
            const n = await deleteLogsBefore(deps.logDb, target, {
              batch: opts.batch ?? BATCH,
              maxBatches: 1,
            });
            deleted += n;
            if (
              !await updateSystemTaskState(deps.db, task.taskId, runner, {
                target_timestamp: target,
                deleted_count: deleted,
              })
            ) {
              return; // another runner took it over
            }
            if (n < (opts.batch ?? BATCH)) break;
          }
          await finishSystemTask(deps.db, task.taskId, runner, "succeeded", { deleted_count: deleted });
          log.info("log cleanup finished", { task: task.taskId, deleted });
        } catch (err) {
          await finishSystemTask(
            deps.db,
            task.taskId,
            runner,
            "failed",
            { deleted_count: deleted },
            String(err),
          );
          log.error("log cleanup failed", { task: task.taskId, error: String(err) });
        }
      }
    },
  };
}
