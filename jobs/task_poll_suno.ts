/**
 * Suno's task kind for the poller (New API's `updateSunoTaskAll`): unfinished `tasks` rows of platform
 * suno, one `POST /suno/fetch {ids}` per channel; failures and tasks older than TASK_TIMEOUT_MINUTES
 * refunded once (the loop: task_poll_loop.ts).
 */
import {
  abandonedTaskIntents,
  type Task,
  TaskStatus,
  type TaskUpdate,
  unfinishedTasks,
} from "../store/tasks.ts";
import { taskRowKind } from "./task_row_kind.ts";
import { fetchTaskJson, isObject, TaskFetchRefused, type TaskItem, type TaskKind } from "./task_poll_loop.ts";

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

export const sunoKind: TaskKind<Task, TaskUpdate> = {
  ...taskRowKind,
  name: "suno",
  unfinished: (deps) => unfinishedTasks(deps.db, "suno"),
  abandonedIntents: (deps, beforeMs) => abandonedTaskIntents(deps.db, ["suno"], beforeMs / 1000),
  async fetch(deps, ch, tasks) {
    const answer = await fetchTaskJson(deps, ch, {
      method: "POST",
      url: `${ch.baseUrl}/suno/fetch`,
      headers: { "content-type": "application/json", authorization: `Bearer ${ch.key}` },
      body: JSON.stringify({ ids: tasks.map((t) => t.taskId), action: "" }),
    });
    if (!isObject(answer) || answer.code !== "success" || !Array.isArray(answer.data)) {
      throw new TaskFetchRefused(`code ${String(isObject(answer) ? answer.code : "")}`);
    }
    const list: TaskItem[] = answer.data.filter(isObject);
    return new Map(list.map((i) => [str(i.task_id), i]));
  },
  updateOf: (t, item) => sunoUpdateOf(t, item),
};
