/**
 * Suno's part of the task poller (New API's `updateSunoTaskAll`): unfinished `tasks` rows of platform
 * suno, one `POST /suno/fetch {ids}` per channel, the answers written over the rows they came from;
 * failures and tasks older than TASK_TIMEOUT_MINUTES refunded once (see task_poll.ts).
 */
import type { AppDeps } from "../server/deps.ts";
import { type Task, TaskStatus, type TaskUpdate, unfinishedTasks, updateTask } from "../store/tasks.ts";
import { pickKey } from "../relay/pipeline/channel_config.ts";
import { parseJsonObject } from "../relay/providers/spec.ts";
import { log } from "../server/logger.ts";
import { failWithRefund, type PollCounts, TASK_FETCH_TIMEOUT_MS } from "./task_poll.ts";

const MAX_ANSWER_BYTES = 8 << 20;

const str = (v: unknown) => (typeof v === "string" ? v : "");
const int = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : 0);

/** The row update an upstream Suno task object means. */
export function sunoUpdateOf(t: Task, item: Record<string, unknown>): TaskUpdate {
  const status = str(item.status) || t.status;
  const failReason = str(item.fail_reason);
  const done = status === TaskStatus.success || status === TaskStatus.failure || failReason !== "";
  return {
    status: failReason && status !== TaskStatus.success ? TaskStatus.failure : status,
    progress: done ? "100%" : t.progress,
    failReason,
    startTime: int(item.start_time) || t.startTime,
    finishTime: int(item.finish_time) || t.finishTime,
    data: item.data === undefined || item.data === null ? t.data : JSON.stringify(item.data),
  };
}

const failed = (t: Task, reason: string): TaskUpdate => ({
  status: TaskStatus.failure,
  progress: "100%",
  failReason: reason,
  startTime: t.startTime,
  finishTime: Math.floor(Date.now() / 1000),
  data: t.data,
});

async function apply(deps: AppDeps, t: Task, u: TaskUpdate, counts: PollCounts): Promise<void> {
  if (u.status !== TaskStatus.failure) {
    if (await updateTask(deps.db, t, u)) counts.updated++;
    return;
  }
  const r = await failWithRefund(deps, t, u.failReason || "task failed", (tx) => updateTask(tx, t, u));
  if (r.moved) counts.failed++, counts.updated++;
  counts.refunded += r.refunded;
}

async function fetchBatch(
  deps: AppDeps,
  channelId: number,
  ids: string[],
): Promise<Record<string, unknown>[] | undefined> {
  const ch = deps.catalog.channel(channelId);
  const key = ch && pickKey(ch);
  if (!ch || !key || !ch.baseUrl) return undefined;
  const proxy = parseJsonObject(ch.setting).proxy;
  try {
    const res = await deps.upstream.request({
      method: "POST",
      url: `${ch.baseUrl.trim().replace(/\/+$/, "")}/suno/fetch`,
      headers: { "content-type": "application/json", authorization: `Bearer ${key.key}` },
      body: JSON.stringify({ ids, action: "" }),
      proxy: typeof proxy === "string" && proxy.trim() ? proxy.trim() : undefined,
      firstByteTimeoutMs: TASK_FETCH_TIMEOUT_MS,
      totalTimeoutMs: TASK_FETCH_TIMEOUT_MS,
    });
    const answer = JSON.parse(new TextDecoder().decode(await res.bytes(MAX_ANSWER_BYTES)));
    if (res.status !== 200 || answer?.code !== "success" || !Array.isArray(answer.data)) {
      log.warn("suno task fetch refused", { channelId, status: res.status });
      return [];
    }
    return answer.data.filter((i: unknown) => i && typeof i === "object");
  } catch (e) {
    log.warn("suno task fetch failed", { channelId, error: String(e) });
    return [];
  }
}

export async function pollSuno(deps: AppDeps, nowMs: number, counts: PollCounts): Promise<void> {
  const timeoutS = deps.config.taskTimeoutMinutes * 60;
  const now = Math.floor(nowMs / 1000);
  const byChannel = new Map<number, Task[]>();
  for (const t of await unfinishedTasks(deps.db, "suno")) {
    if (timeoutS > 0 && t.submitTime > 0 && now - t.submitTime > timeoutS) {
      await apply(
        deps,
        t,
        failed(t, `task timed out (over ${deps.config.taskTimeoutMinutes} minutes)`),
        counts,
      );
      continue;
    }
    if (!t.taskId) {
      await apply(deps, t, failed(t, "no task id from the upstream"), counts);
      continue;
    }
    byChannel.set(t.channelId, [...(byChannel.get(t.channelId) ?? []), t]);
  }
  for (const [channelId, list] of byChannel) {
    const items = await fetchBatch(deps, channelId, list.map((t) => t.taskId));
    if (items === undefined) {
      for (const t of list) await apply(deps, t, failed(t, `channel #${channelId} is gone`), counts);
      continue;
    }
    const seen = new Map(items.map((i) => [str(i.task_id), i]));
    for (const t of list) {
      const item = seen.get(t.taskId);
      if (!item) continue;
      const u = sunoUpdateOf(t, item);
      if (
        u.status !== t.status || u.progress !== t.progress || u.failReason !== t.failReason ||
        u.data !== t.data ||
        u.startTime !== t.startTime || u.finishTime !== t.finishTime
      ) await apply(deps, t, u, counts);
    }
  }
}
