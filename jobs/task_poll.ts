/**
 * The one task poller (New API's `UpdateMidjourneyTaskBulk` and `UpdateTaskBulk`), run by `jobs/scheduler.ts`
 * on the instance holding its lease: unfinished tasks are fetched in one batch per channel, their rows
 * updated with a compare-and-swap on the state read (so two pollers never both move a task), and a task
 * that fails or times out is refunded in the same transaction as its move to FAILURE, through
 * `refundSettled`: never more than its charge, whatever runs twice. The loop is
 * `task_poll_loop.ts`; the kinds `task_poll_mj.ts`, `task_poll_suno.ts`, `task_poll_video.ts`.
 */
import type { Job } from "./scheduler.ts";
import type { AppDeps } from "../server/deps.ts";
import { log } from "../server/logger.ts";
import { type PollCounts, type PolledTask, pollKind, type TaskKind } from "./task_poll_loop.ts";
import { midjourneyKind } from "./task_poll_mj.ts";
import { sunoKind } from "./task_poll_suno.ts";
import { videoKind } from "./task_poll_video.ts";

export { failWithRefund, type PollCounts } from "./task_poll_loop.ts";

/** New API polls every 15 s. */
export const TASK_POLL_INTERVAL_MS = 15_000;
export interface TaskPollOptions {
  /** Milliseconds since the epoch (tests move the clock). */
  now?: () => number;
}

/** One pass over every platform. */
export async function pollTasks(deps: AppDeps, opts: TaskPollOptions = {}): Promise<PollCounts> {
  // Charges the quota book still holds in memory must be rows before a refund can find them.
  await deps.billing.flush();
  const now = opts.now?.() ?? Date.now();
  const counts: PollCounts = { updated: 0, failed: 0, refunded: 0 };
  await pollKind(deps, midjourneyKind, now, counts);
  await pollKind(deps, sunoKind, now, counts);
  await pollKind(deps, videoKind, now, counts);
  return counts;
}

/** One pass of one kind now (a notify's wake-up), outside the schedule; the same loop and claims. */
export async function pollKindNow<T extends PolledTask, U>(
  deps: AppDeps,
  kind: TaskKind<T, U>,
  opts: TaskPollOptions = {},
): Promise<PollCounts> {
  await deps.billing.flush();
  const counts: PollCounts = { updated: 0, failed: 0, refunded: 0 };
  await pollKind(deps, kind, opts.now?.() ?? Date.now(), counts);
  return counts;
}

export function taskPollJob(deps: AppDeps, opts: TaskPollOptions & { intervalMs?: number } = {}): Job {
  return {
    name: "task_poll",
    intervalMs: opts.intervalMs ?? TASK_POLL_INTERVAL_MS,
    run: async () => {
      const c = await pollTasks(deps, opts);
      if (c.updated || c.failed) log.info("tasks polled", { ...c });
    },
  };
}
