/**
 * The per-channel loop every task kind is polled through (Midjourney, Suno, each video adaptor): unfinished
 * rows grouped by channel, one fetch per channel (a batch call, or one call per task where the upstream has
 * no batch), each answer turned into a row update, a compare-and-swap write, and a failure, a vanished
 * channel or a timeout moved to FAILURE with its refund in the same transaction (`failWithRefund`).
 * A kind is data: how its rows are read, fetched, compared and written.
 */
import type { AppDeps } from "../server/deps.ts";
import type { Db } from "../store/db.ts";
import { type TaskChannel, taskChannelRef } from "../relay/tasks/task_relay.ts";
import { log } from "../server/logger.ts";
import type { UpstreamCall } from "../relay/tasks/video/adapter.ts";
import { refundSettled, refundWithoutLedger } from "../store/refunds.ts";

/** One upstream task fetch. */
export const TASK_FETCH_TIMEOUT_MS = 15_000;
/** An intent row with no upstream id this old belongs to a submit that will never finish (submits: 60 s). */
export const ABANDONED_SUBMIT_MS = 5 * 60_000;

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

/** What the loop needs of any row: where it ran and what it was charged. */
export interface PolledTask {
  userId: number;
  tokenId: number;
  channelId: number;
  quota: number;
  requestId: string;
}

/** An upstream task object, as the upstream answered it. */
export type TaskItem = Record<string, unknown>;

export interface TaskKind<T extends PolledTask, U> {
  /** For log lines ("midjourney", "suno", "video"). */
  name: string;
  unfinished(deps: AppDeps): Promise<T[]>;
  /**
   * Intent rows (no upstream id) whose submit began before `beforeMs`: abandoned, since no submit runs
   * that long. Read on their own so that no backlog of unfinished tasks can starve them.
   */
  abandonedIntents(deps: AppDeps, beforeMs: number): Promise<T[]>;
  /** The id the upstream knows the task by ("" while its submit is under way, or when it never gave one). */
  upstreamId(t: T): string;
  /** When the submit began, in milliseconds since the epoch. */
  submittedAtMs(t: T): number;
  /** Why the task is past its time at `nowMs`, or undefined. */
  timedOut(deps: AppDeps, t: T, nowMs: number): string | undefined;
  /**
   * The upstream objects of `tasks` on `ch`, by upstream id (a task missing from the map is left for the
   * next pass); undefined when this kind cannot be fetched from that channel at all. Throws on a refusal.
   */
  fetch(deps: AppDeps, ch: TaskChannel, tasks: T[]): Promise<Map<string, TaskItem> | undefined>;
  updateOf(t: T, item: TaskItem, nowMs: number): U;
  /** The terminal failed update, from the last known state or from `from`. */
  failure(t: T, reason: string, nowMs: number, from?: U): U;
  changed(t: T, u: U): boolean;
  /** Finished, either way (a timeout no longer applies). */
  done(u: U): boolean;
  /** The update moves the task to FAILURE (it is refunded with the move); its reason. */
  failReason(t: T, u: U): string | undefined;
  /** Writes `u` if the row is still as `t` was read; true when written. */
  write(db: Db, t: T, u: U): Promise<boolean>;
}

async function apply<T extends PolledTask, U>(
  deps: AppDeps,
  kind: TaskKind<T, U>,
  t: T,
  u: U,
  counts: PollCounts,
): Promise<void> {
  const reason = kind.failReason(t, u);
  if (reason === undefined) {
    if (await kind.write(deps.db, t, u)) counts.updated++;
    return;
  }
  const r = await failWithRefund(deps, t, reason || "task failed", (tx) => kind.write(tx, t, u));
  if (r.moved) counts.failed++, counts.updated++;
  counts.refunded += r.refunded;
}

/** One pass of one kind. */
export async function pollKind<T extends PolledTask, U>(
  deps: AppDeps,
  kind: TaskKind<T, U>,
  nowMs: number,
  counts: PollCounts,
): Promise<void> {
  // A submit's intent row: its charge and its row were written apart. Past any submit's time it was
  // abandoned (the gateway stopped in between): failed, and whatever was charged refunded.
  for (const t of await kind.abandonedIntents(deps, nowMs - ABANDONED_SUBMIT_MS)) {
    if (kind.upstreamId(t)) continue;
    await apply(deps, kind, t, kind.failure(t, "the submit was not completed", nowMs), counts);
  }
  const byChannel = new Map<number, T[]>();
  for (const t of await kind.unfinished(deps)) {
    if (!kind.upstreamId(t)) continue; // an intent row: its submit is under way (or handled above)
    byChannel.set(t.channelId, [...(byChannel.get(t.channelId) ?? []), t]);
  }
  for (const [channelId, list] of byChannel) {
    const view = deps.catalog.channel(channelId);
    const ch = view && taskChannelRef(view);
    let items: Map<string, TaskItem> | undefined = new Map();
    try {
      items = ch && await kind.fetch(deps, ch, list);
    } catch (e) {
      log.warn(`${kind.name} task fetch failed`, { channelId, error: String(e) });
    }
    for (const t of list) {
      if (items === undefined) {
        await apply(deps, kind, t, kind.failure(t, `channel #${channelId} is gone`, nowMs), counts);
        continue;
      }
      const item = items.get(kind.upstreamId(t));
      let u = item && kind.updateOf(t, item, nowMs);
      const late = kind.timedOut(deps, t, nowMs);
      if (late && !(u && kind.done(u))) u = kind.failure(t, late, nowMs, u);
      if (u && kind.changed(t, u)) await apply(deps, kind, t, u, counts);
    }
  }
}

const MAX_ANSWER_BYTES = 8 << 20;

/** Thrown for an answer the loop cannot use: a non-200 status or a body that is not JSON. */
export class TaskFetchRefused extends Error {
  override name = "TaskFetchRefused";
}

/** One call on a task channel, its JSON answer (TaskFetchRefused when not 200 or not JSON). */
export async function fetchTaskJson(
  deps: AppDeps,
  ch: TaskChannel,
  req: UpstreamCall,
): Promise<unknown> {
  const res = await deps.upstream.request({
    ...req,
    proxy: ch.proxy,
    firstByteTimeoutMs: TASK_FETCH_TIMEOUT_MS,
    totalTimeoutMs: TASK_FETCH_TIMEOUT_MS,
  });
  if (res.status !== 200) {
    await res.cancel();
    throw new TaskFetchRefused(`status ${res.status}`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(await res.bytes(MAX_ANSWER_BYTES)));
  } catch {
    throw new TaskFetchRefused("the answer is not JSON");
  }
}

/** For upstreams without a batch call: one fetch per task, a task whose fetch fails left for next time. */
export async function fetchEach<T>(
  kindName: string,
  channelId: number,
  tasks: T[],
  idOf: (t: T) => string,
  one: (t: T) => Promise<TaskItem | undefined>,
): Promise<Map<string, TaskItem>> {
  const out = new Map<string, TaskItem>();
  for (const t of tasks) {
    try {
      const item = await one(t);
      if (item) out.set(idOf(t), item);
    } catch (e) {
      log.warn(`${kindName} task fetch failed`, { channelId, error: String(e) });
    }
  }
  return out;
}

export const isObject = (v: unknown): v is TaskItem => !!v && typeof v === "object" && !Array.isArray(v);
