/**
 * Video's part of the task poller (OpenAI's video API on OpenAI and Sora channels): OpenAI has no batch
 * fetch, so each unfinished task is one `GET /v1/videos/{id}` on its channel; the object is kept in `data`,
 * its status and progress on the row; failures and tasks older than TASK_TIMEOUT_MINUTES refunded once.
 */
import type { AppDeps } from "../server/deps.ts";
import { type Task, TaskStatus, type TaskUpdate, unfinishedTasks, updateTask } from "../store/tasks.ts";
import { pickKey } from "../relay/pipeline/channel_config.ts";
import { parseJsonObject } from "../relay/providers/spec.ts";
import { VIDEO_CHANNEL_TYPES, videoStatus } from "../relay/tasks/video_routes.ts";
import { log } from "../server/logger.ts";
import { failWithRefund, type PollCounts, TASK_FETCH_TIMEOUT_MS } from "./task_poll.ts";

const MAX_ANSWER_BYTES = 1 << 20;

/** The row update an OpenAI video object means. */
export function videoUpdateOf(t: Task, v: Record<string, unknown>, nowS: number): TaskUpdate {
  const status = videoStatus(v.status);
  const done = status === TaskStatus.success || status === TaskStatus.failure;
  const err = v.error as { message?: unknown } | undefined;
  const progress = done ? 100 : Math.max(0, Math.min(99, Math.trunc(Number(v.progress) || 0)));
  return {
    status: status === TaskStatus.unknown ? t.status : status,
    progress: `${progress}%`,
    failReason: status === TaskStatus.failure
      ? (typeof err?.message === "string" && err.message ? err.message : "video generation failed")
      : "",
    startTime: t.startTime || (status === TaskStatus.inProgress || done ? nowS : 0),
    finishTime: done ? (Number(v.completed_at) || nowS) : 0,
    data: JSON.stringify(v),
  };
}

async function fetchOne(deps: AppDeps, t: Task): Promise<Record<string, unknown> | undefined | null> {
  const ch = deps.catalog.channel(t.channelId);
  const key = ch && pickKey(ch);
  if (!ch || !key || !ch.baseUrl || !VIDEO_CHANNEL_TYPES.has(ch.type)) return null;
  const proxy = parseJsonObject(ch.setting).proxy;
  try {
    const res = await deps.upstream.request({
      method: "GET",
      url: `${ch.baseUrl.trim().replace(/\/+$/, "")}/v1/videos/${encodeURIComponent(t.taskId)}`,
      headers: { authorization: `Bearer ${key.key}` },
      proxy: typeof proxy === "string" && proxy.trim() ? proxy.trim() : undefined,
      firstByteTimeoutMs: TASK_FETCH_TIMEOUT_MS,
      totalTimeoutMs: TASK_FETCH_TIMEOUT_MS,
    });
    const v = JSON.parse(new TextDecoder().decode(await res.bytes(MAX_ANSWER_BYTES)));
    if (res.status !== 200 || !v || typeof v !== "object") {
      log.warn("video task fetch refused", { channelId: ch.id, status: res.status });
      return undefined;
    }
    return v;
  } catch (e) {
    log.warn("video task fetch failed", { channelId: ch.id, error: String(e) });
    return undefined;
  }
}

async function apply(deps: AppDeps, t: Task, u: TaskUpdate, counts: PollCounts): Promise<void> {
  if (u.status !== TaskStatus.failure) {
    if (await updateTask(deps.db, t, u)) counts.updated++;
    return;
  }
  const r = await failWithRefund(deps, t, u.failReason || "task failed", (tx) => updateTask(tx, t, u));
  if (r.moved) counts.failed++, counts.updated++;
  counts.refunded += r.refunded;
}

export async function pollVideos(deps: AppDeps, nowMs: number, counts: PollCounts): Promise<void> {
  const timeoutS = deps.config.taskTimeoutMinutes * 60;
  const now = Math.floor(nowMs / 1000);
  for (const platform of [...VIDEO_CHANNEL_TYPES].map(String)) {
    for (const t of await unfinishedTasks(deps.db, platform)) {
      const failed = (reason: string): TaskUpdate => ({
        status: TaskStatus.failure,
        progress: "100%",
        failReason: reason,
        startTime: t.startTime,
        finishTime: now,
        data: t.data,
      });
      if (timeoutS > 0 && t.submitTime > 0 && now - t.submitTime > timeoutS) {
        await apply(
          deps,
          t,
          failed(`task timed out (over ${deps.config.taskTimeoutMinutes} minutes)`),
          counts,
        );
        continue;
      }
      const v = await fetchOne(deps, t);
      if (v === null) await apply(deps, t, failed(`channel #${t.channelId} is gone`), counts);
      if (!v) continue;
      const u = videoUpdateOf(t, v, now);
      if (u.status !== t.status || u.progress !== t.progress || u.data !== t.data) {
        await apply(deps, t, u, counts);
      }
    }
  }
}
