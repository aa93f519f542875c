/**
 * The one task poller (New API's `UpdateMidjourneyTaskBulk` and `UpdateTaskBulk`), run by `jobs/scheduler.ts`
 * on the instance holding its lease: unfinished tasks are fetched in one batch per channel, their rows
 * updated with a compare-and-swap on the state read (so two pollers never both move a task), and a task
 * that fails or times out is refunded in the same transaction as its move to FAILURE, through
 * `refundSettled`: never more than its charge, whatever runs twice. Platforms: `task_poll_mj.ts`,
 * `task_poll_suno.ts`,
 * `task_poll_video.ts`.
 */
import type { Job } from "./scheduler.ts";
import type { AppDeps } from "../server/deps.ts";
import { refundSettled, refundWithoutLedger } from "../store/refunds.ts";
import type { Db } from "../store/db.ts";
import { log } from "../server/logger.ts";
import { pollMidjourney } from "./task_poll_mj.ts";
import { pollSuno } from "./task_poll_suno.ts";
import { pollVideos } from "./task_poll_video.ts";

/** New API polls every 15 s. */
export const TASK_POLL_INTERVAL_MS = 15_000;
/** New API fails a Midjourney task unfinished after an hour. */
export const MJ_TIMEOUT_MS = 3600_000;
/** Per channel batch call. */
export const TASK_FETCH_TIMEOUT_MS = 15_000;

export interface TaskPollOptions {
  /** Milliseconds since the epoch (tests move the clock). */
  now?: () => number;
}

export interface PollCounts {
  updated: number;
  failed: number;
  refunded: number;
}

/** A move to a failed state, refunded with it when the task was charged; false when another won. */
export async function failWithRefund(
  deps: AppDeps,
  t: { userId: number; tokenId: number; channelId: number; quota: number; requestId: string },
  reason: string,
  claim: (tx: Db) => Promise<boolean>,
): Promise<{ moved: boolean; refunded: number }> {
  if (t.quota <= 0) return { moved: await claim(deps.db), refunded: 0 };
  let moved = false;
  const content = `Task failed, refunded: ${reason}`.slice(0, 500);
  const claimed = async (tx: Db) => (moved = await claim(tx));
  // A row without a request id was charged by New API before this gateway adopted the database.
  const refunded = t.requestId
    ? await refundSettled(
      deps.db,
      { requestId: t.requestId, quota: t.quota, content, claim: claimed },
      deps.logDb,
    )
    : await refundWithoutLedger(deps.db, {
      userId: t.userId,
      tokenId: t.tokenId,
      channelId: t.channelId,
      quota: t.quota,
      content,
      claim: claimed,
    }, deps.logDb);
  if (refunded > 0) {
    await deps.cache.publish({ kind: "user", id: t.userId });
    if (t.tokenId > 0) await deps.cache.publish({ kind: "token", id: t.tokenId });
  }
  return { moved, refunded };
}

/** One pass over every platform. */
export async function pollTasks(deps: AppDeps, opts: TaskPollOptions = {}): Promise<PollCounts> {
  // Charges the quota book still holds in memory must be rows before a refund can find them.
  await deps.billing.flush();
  const now = opts.now?.() ?? Date.now();
  const counts: PollCounts = { updated: 0, failed: 0, refunded: 0 };
  await pollMidjourney(deps, now, counts);
  await pollSuno(deps, now, counts);
  await pollVideos(deps, now, counts);
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
