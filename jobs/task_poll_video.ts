/**
 * Video's task kind for the poller: unfinished `tasks` rows of every video platform (platform = channel
 * type), one fetch per task through the channel type's adaptor (no video upstream has a batch call), the
 * upstream object kept in `data`; failures and tasks older than TASK_TIMEOUT_MINUTES refunded once.
 */
import { abandonedTaskIntents, type Task, type TaskUpdate, unfinishedTasks } from "../store/tasks.ts";
import { VIDEO_CHANNEL_TYPES, videoAdapterFor } from "../relay/tasks/video/registry.ts";
import type { VideoResult } from "../relay/tasks/video/adapter.ts";
import { fetchEach, fetchTaskJson, isObject, type TaskKind } from "./task_poll_loop.ts";
import { taskRowKind } from "./task_row_kind.ts";

/** The row update an adaptor's reading of an upstream object means. */
export function videoUpdateOf(t: Task, r: VideoResult, item: unknown, nowS: number): TaskUpdate {
  const done = r.progress >= 100;
  return {
    status: r.status,
    progress: `${r.progress}%`,
    failReason: r.failReason,
    startTime: t.startTime || nowS,
    finishTime: done ? (r.finishedAt || t.finishTime || nowS) : 0,
    data: JSON.stringify(item),
  };
}

export const videoKind: TaskKind<Task, TaskUpdate> = {
  ...taskRowKind,
  name: "video",
  async unfinished(deps) {
    const out: Task[] = [];
    for (const type of VIDEO_CHANNEL_TYPES) out.push(...await unfinishedTasks(deps.db, String(type)));
    return out;
  },
  abandonedIntents: (deps, beforeMs) =>
    abandonedTaskIntents(deps.db, [...VIDEO_CHANNEL_TYPES].map(String), beforeMs / 1000),
  async fetch(deps, ch, tasks) {
    const adapter = videoAdapterFor(ch.channel.type);
    if (!adapter) return undefined;
    return await fetchEach(adapter.name, ch.channel.id, tasks, (t) => t.taskId, async (t) => {
      const item = await fetchTaskJson(deps, ch, await adapter.fetch(ch, t, deps.upstream));
      if (!isObject(item)) return undefined;
      const next = adapter.followUp?.(ch, item);
      if (next) {
        const more = await fetchTaskJson(deps, ch, next);
        // Without the second answer the object is left for the next pass.
        if (!isObject(more)) return undefined;
        item.file = isObject(more.file) ? more.file : more;
      }
      return item;
    });
  },
  updateOf(t, item, nowMs) {
    const adapter = videoAdapterFor(Number(t.platform));
    const r = adapter?.result(item);
    // An object the adaptor cannot read changes nothing.
    return r ? videoUpdateOf(t, r, item, Math.floor(nowMs / 1000)) : { ...t };
  },
};
