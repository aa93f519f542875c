/**
 * Midjourney's part of the task poller: every unfinished `midjourneys` row, one `list-by-condition` call
 * per channel (New API's batch), the answers written over the rows they came from, failures and tasks
 * past an hour refunded once (see task_poll.ts).
 */
import type { AppDeps } from "../server/deps.ts";
import { type MjTask, type MjTaskUpdate, unfinishedMjTasks, updateMjTask } from "../store/midjourneys.ts";
import { pickKey } from "../relay/pipeline/channel_config.ts";
import { parseJsonObject } from "../relay/providers/spec.ts";
import { log } from "../server/logger.ts";
import { failWithRefund, MJ_TIMEOUT_MS, type PollCounts, TASK_FETCH_TIMEOUT_MS } from "./task_poll.ts";

const MAX_ANSWER_BYTES = 8 << 20;

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

function changed(t: MjTask, u: MjTaskUpdate): boolean {
  return t.code !== 1 || t.progress !== u.progress || t.promptEn !== u.promptEn || t.state !== u.state ||
    t.startTime !== u.startTime || t.finishTime !== u.finishTime || t.imageUrl !== u.imageUrl ||
    t.status !== u.status || t.failReason !== u.failReason || t.videoUrl !== u.videoUrl ||
    t.videoUrls !== u.videoUrls || t.buttons !== u.buttons || t.properties !== u.properties;
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

async function apply(deps: AppDeps, t: MjTask, u: MjTaskUpdate, counts: PollCounts): Promise<void> {
  const failed = (t.progress !== "100%" && u.failReason !== "") ||
    (u.progress === "100%" && u.status === "FAILURE");
  if (!failed) {
    if (await updateMjTask(deps.db, t, u)) counts.updated++;
    return;
  }
  const final = { ...u, progress: "100%", status: u.status || "FAILURE" };
  const r = await failWithRefund(
    deps,
    t,
    final.failReason || "task failed",
    (tx) => updateMjTask(tx, t, final),
  );
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
      url: `${ch.baseUrl.trim().replace(/\/+$/, "")}/mj/task/list-by-condition`,
      headers: { "content-type": "application/json", "mj-api-secret": key.key },
      body: JSON.stringify({ ids }),
      proxy: typeof proxy === "string" && proxy.trim() ? proxy.trim() : undefined,
      firstByteTimeoutMs: TASK_FETCH_TIMEOUT_MS,
      totalTimeoutMs: TASK_FETCH_TIMEOUT_MS,
    });
    if (res.status !== 200) {
      await res.cancel();
      log.warn("midjourney task fetch refused", { channelId, status: res.status });
      return [];
    }
    const items = JSON.parse(new TextDecoder().decode(await res.bytes(MAX_ANSWER_BYTES)));
    return Array.isArray(items) ? items.filter((i) => i && typeof i === "object") : [];
  } catch (e) {
    log.warn("midjourney task fetch failed", { channelId, error: String(e) });
    return [];
  }
}

export async function pollMidjourney(deps: AppDeps, now: number, counts: PollCounts): Promise<void> {
  const tasks = await unfinishedMjTasks(deps.db);
  const byChannel = new Map<number, MjTask[]>();
  for (const t of tasks) {
    if (!t.mjId) {
      await apply(deps, t, failure(t, "no task id from the upstream"), counts);
      continue;
    }
    byChannel.set(t.channelId, [...(byChannel.get(t.channelId) ?? []), t]);
  }
  for (const [channelId, list] of byChannel) {
    const items = await fetchBatch(deps, channelId, list.map((t) => t.mjId));
    if (items === undefined) {
      for (const t of list) await apply(deps, t, failure(t, `channel #${channelId} is gone`), counts);
      continue;
    }
    const seen = new Map(items.map((i) => [str(i.id), i]));
    for (const t of list) {
      const item = seen.get(t.mjId);
      const timedOut = now - t.submitTime > MJ_TIMEOUT_MS;
      if (!item) {
        if (timedOut) await apply(deps, t, failure(t, "upstream task timed out (over 1 hour)"), counts);
        continue;
      }
      let u = mjUpdateOf(t, item);
      if (timedOut && u.progress !== "100%") u = failure(t, "upstream task timed out (over 1 hour)", u);
      if (changed(t, u)) await apply(deps, t, u, counts);
    }
  }
}
