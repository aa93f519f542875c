/**
 * Midjourney's task kind for the poller: every unfinished `midjourneys` row, one `list-by-condition` call
 * per channel (New API's batch), the answers written over the rows they came from, failures and tasks
 * past an hour refunded once (the loop: task_poll_loop.ts).
 */
import {
  abandonedMjIntents,
  type MjTask,
  type MjTaskUpdate,
  unfinishedMjTasks,
  updateMjTask,
} from "../store/midjourneys.ts";
import { fetchTaskJson, isObject, type TaskItem, type TaskKind } from "./task_poll_loop.ts";

/** New API fails a Midjourney task unfinished after an hour. */
export const MJ_TIMEOUT_MS = 3600_000;

const str = (v: unknown) => (typeof v === "string" ? v : "");
const int = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : 0);
const json = (v: unknown) => (v === undefined || v === null ? "" : JSON.stringify(v));

/** The row update an upstream task object means (New API's field mapping). */
export function mjUpdateOf(t: MjTask, item: Record<string, unknown>): MjTaskUpdate {
  const videoUrls = Array.isArray(item.videoUrls) && item.videoUrls.length > 0 ? json(item.videoUrls) : "";
  return {
    code: 1,
    progress: str(item.progress),
    promptEn: str(item.promptEn),
    state: str(item.state),
    submitTime: int(item.submitTime) || t.submitTime,
    startTime: int(item.startTime),
    finishTime: int(item.finishTime),
    imageUrl: str(item.imageUrl),
    videoUrl: str(item.videoUrl),
    videoUrls,
    status: str(item.status),
    failReason: str(item.failReason),
    buttons: item.buttons === undefined || item.buttons === null ? t.buttons : json(item.buttons),
    properties: item.properties === undefined || item.properties === null
      ? t.properties
      : json(item.properties),
  };
}

/** A failed task's terminal update: its last known state, FAILURE at 100%. */
function failure(t: MjTask, reason: string, from?: MjTaskUpdate): MjTaskUpdate {
  return {
    ...(from ?? mjUpdateOf(t, {
      progress: t.progress,
      promptEn: t.promptEn,
      state: t.state,
      submitTime: t.submitTime,
      startTime: t.startTime,
      finishTime: t.finishTime,
      imageUrl: t.imageUrl,
      videoUrl: t.videoUrl,
      status: t.status,
    })),
    status: "FAILURE",
    progress: "100%",
    failReason: reason,
  };
}

export const midjourneyKind: TaskKind<MjTask, MjTaskUpdate> = {
  name: "midjourney",
  unfinished: (deps) => unfinishedMjTasks(deps.db),
  abandonedIntents: (deps, beforeMs) => abandonedMjIntents(deps.db, beforeMs),
  upstreamId: (t) => t.mjId,
  submittedAtMs: (t) => t.submitTime,
  timedOut: (_deps, t, nowMs) =>
    nowMs - t.submitTime > MJ_TIMEOUT_MS ? "upstream task timed out (over 1 hour)" : undefined,
  async fetch(deps, ch, tasks) {
    const items = await fetchTaskJson(deps, ch, {
      method: "POST",
      url: `${ch.baseUrl}/mj/task/list-by-condition`,
      headers: { "content-type": "application/json", "mj-api-secret": ch.key },
      body: JSON.stringify({ ids: tasks.map((t) => t.mjId) }),
    });
    const list: TaskItem[] = Array.isArray(items) ? items.filter(isObject) : [];
    return new Map(list.map((i) => [str(i.id), i]));
  },
  updateOf: (t, item) => mjUpdateOf(t, item),
  failure: (t, reason, _now, from) => failure(t, reason, from),
  changed: (t, u) =>
    t.code !== 1 || t.progress !== u.progress || t.promptEn !== u.promptEn || t.state !== u.state ||
    t.startTime !== u.startTime || t.finishTime !== u.finishTime || t.imageUrl !== u.imageUrl ||
    t.status !== u.status || t.failReason !== u.failReason || t.videoUrl !== u.videoUrl ||
    t.videoUrls !== u.videoUrls || t.buttons !== u.buttons || t.properties !== u.properties,
  done: (u) => u.progress === "100%",
  failReason: (t, u) =>
    (t.progress !== "100%" && u.failReason !== "") || (u.progress === "100%" && u.status === "FAILURE")
      ? u.failReason
      : undefined,
  write: (db, t, u) => {
    // A failure is written final: FAILURE at 100%, whatever the upstream said of its progress.
    const failed = (t.progress !== "100%" && u.failReason !== "") ||
      (u.progress === "100%" && u.status === "FAILURE");
    return updateMjTask(db, t, failed ? { ...u, progress: "100%", status: u.status || "FAILURE" } : u);
  },
};

/** The Midjourney kind narrowed to one task (a notify polls just the task it names). */
export function midjourneyTaskKind(task: MjTask): TaskKind<MjTask, MjTaskUpdate> {
  return {
    ...midjourneyKind,
    unfinished: () => Promise.resolve([task]),
    abandonedIntents: () => Promise.resolve([]),
  };
}
