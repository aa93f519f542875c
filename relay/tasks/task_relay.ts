/**
 * What every async-task route (Midjourney, Suno, video) shares: the caller of the key (New API also reads
 * `mj-api-secret` on `/mj`), the channel of a task platform, and the submit (`submitTask`): the price is
 * held and an intent row written before the upstream is called, the charge settled once when the upstream
 * accepts the task (made durable before the row is completed, so a row always has its charge), released
 * otherwise. Refunds go through `store/refunds.ts`.
 */
import type { Context } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import type { ChannelView } from "../../store/cache/catalog.ts";
import { ChannelStatus } from "../../store/channels.ts";
import { authenticateKey, type Caller } from "../pipeline/key_auth.ts";
import { pickKey } from "../pipeline/channel_config.ts";
import { selectChannel } from "../routing/select_channel.ts";
import type { BillingSession } from "../billing/session.ts";
import { BillingError, InsufficientQuotaError } from "../billing/errors.ts";
import { parseJsonObject } from "../providers/spec.ts";
import { providerFor } from "../providers/registry.ts";
import { checkLimits } from "../pipeline/admit.ts";
import type { RelayCtx } from "../pipeline/context.ts";
import { failpoint } from "../../server/failpoint.ts";
import { refundSettled } from "../../store/refunds.ts";
import { log } from "../../server/logger.ts";
import { type NewTask, TaskStatus } from "../../store/tasks.ts";

/** A task route refused the request before anything was charged; each platform words it in its shape. */
export class TaskRejection extends Error {
  override name = "TaskRejection";
  constructor(readonly status: number, readonly reason: string, message = reason) {
    super(message);
  }
}

/** The key's caller (throws the relay's 401/403 RelayError). */
export function taskCaller(deps: AppDeps, c: Context): Caller {
  const headers = c.req.raw.headers;
  const presented = headers.get("mj-api-secret")?.trim() || headers.get("authorization") || undefined;
  return authenticateKey(deps.catalog, deps.secrets.cryptoSecret, presented, c.get("clientIp") ?? "");
}

export interface TaskChannel {
  channel: ChannelView;
  key: string;
  keyIndex: number;
  baseUrl: string;
  proxy?: string;
}

/** The key, base URL and proxy a channel is called with; undefined without a key or base URL. */
export function taskChannelRef(ch: ChannelView): TaskChannel | undefined {
  const picked = pickKey(ch);
  // A type with a fixed API host (Vertex) needs no base URL on the channel.
  const baseUrl = ch.baseUrl || providerFor(ch.type)?.defaultBaseUrl;
  if (!picked || !baseUrl) return undefined;
  const proxy = parseJsonObject(ch.setting).proxy;
  return {
    channel: ch,
    key: picked.key,
    keyIndex: picked.index,
    baseUrl: baseUrl.trim().replace(/\/+$/, ""),
    proxy: typeof proxy === "string" && proxy.trim() ? proxy.trim() : undefined,
  };
}

/** The token's model allow-list (403 TaskRejection when `model` is not on it). */
export function checkTaskModel(caller: Caller, model: string): void {
  if (caller.token?.modelLimitSet && !caller.token.modelLimitSet.has(model)) {
    throw new TaskRejection(403, "model_not_allowed", `This token has no access to model ${model}`);
  }
}

/** A channel of one of `types` serving `model` in the caller's group (New API's distributor). */
export function taskChannel(
  deps: AppDeps,
  caller: Caller,
  model: string,
  types: ReadonlySet<number>,
): TaskChannel {
  checkTaskModel(caller, model);
  if (caller.pinnedChannelId !== undefined) {
    const ch = deps.catalog.channel(caller.pinnedChannelId);
    const ref = ch && ch.status === ChannelStatus.enabled && types.has(ch.type)
      ? taskChannelRef(ch)
      : undefined;
    if (!ref) {
      throw new TaskRejection(
        503,
        "channel_unavailable",
        `Channel #${caller.pinnedChannelId} cannot serve ${model}`,
      );
    }
    return ref;
  }
  const tiers = deps.catalog.tiers(caller.usingGroup, model)
    .map((tier) => tier.filter((ch) => types.has(ch.type) && taskChannelRef(ch) !== undefined))
    .filter((tier) => tier.length > 0);
  const ch = selectChannel(tiers);
  const ref = ch && taskChannelRef(ch);
  if (!ref) {
    throw new TaskRejection(
      503,
      "no_available_channel",
      `No available channel for model ${model} under group ${caller.usingGroup}`,
    );
  }
  return ref;
}

/** The channel an earlier task ran on (follow-up actions must go back to it). */
export function originChannel(deps: AppDeps, channelId: number, types: ReadonlySet<number>): TaskChannel {
  const ch = deps.catalog.channel(channelId);
  if (!ch || ch.status !== ChannelStatus.enabled || !types.has(ch.type)) {
    throw new TaskRejection(400, "channel_disabled", "The channel of the original task is disabled");
  }
  const ref = taskChannelRef(ch);
  if (!ref) throw new TaskRejection(400, "channel_disabled", "The channel of the original task is disabled");
  return ref;
}

/** Holds the task's fixed price (`ModelPrice[model]`); TaskRejection when unpriced or unaffordable. */
export async function holdTaskPrice(
  deps: AppDeps,
  c: Context,
  caller: Caller,
  model: string,
  requestId: string,
  /** Per-call price multiplier (video seconds × size). */
  priceMultiplier?: number,
): Promise<BillingSession> {
  try {
    return await deps.billing.begin({
      requestId,
      user: caller.user,
      token: caller.token
        ? { id: caller.token.id, name: caller.token.name, unlimitedQuota: caller.token.unlimitedQuota }
        : null,
      model,
      usingGroup: caller.usingGroup,
      promptTokens: 0,
      priceMultiplier,
      isStream: false,
      clientIp: c.get("clientIp") ?? "",
      requestPath: new URL(c.req.url).pathname,
    });
  } catch (e) {
    if (e instanceof InsufficientQuotaError) throw new TaskRejection(403, "quota_not_enough", e.message);
    if (e instanceof BillingError) throw new TaskRejection(e.status, e.code, e.message);
    throw e;
  }
}

/**
 * Charges the held price once the upstream accepted the task (`charge` false: nothing, as New API for
 * INPAINT and CUSTOM_ZOOM) and makes the charge durable; returns the quota charged.
 */
export async function settleTaskPrice(
  deps: AppDeps,
  session: BillingSession,
  channel: ChannelView,
  content: string,
  charge = true,
  priceMultiplier = 1,
): Promise<number> {
  if (!charge) {
    await session.release();
    return 0;
  }
  const usage = { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0 };
  const r = await session.settle(usage, {
    channel: { id: channel.id, setting: channel.setting },
    content,
    priceMultiplier,
  });
  await deps.billing.flush();
  return r?.charged ?? 0;
}

/**
 * Runs a submit inside the relay's limits: New API's model request limit and the token's RPM and
 * concurrency (429 RateLimitedError before anything is held). The slot is given back at the end; a
 * submit that failed gives its RPM unit back too. A success counts toward the model limit's successes.
 */
export async function withTaskLimits<T>(deps: AppDeps, caller: Caller, fn: () => Promise<T>): Promise<T> {
  const ctx: Pick<RelayCtx, "deps" | "caller" | "modelLimit" | "gate"> = { deps, caller };
  await checkLimits(ctx);
  try {
    const out = await fn();
    await ctx.gate?.release();
    if (ctx.modelLimit) {
      await deps.limiters.model.recordSuccess(caller.user.id, ctx.modelLimit).catch(() => {});
    }
    return out;
  } catch (e) {
    await ctx.gate?.release({ refund: true });
    throw e;
  }
}

/** One platform's part in `submitTask`; `A` is the upstream's answer as the platform reads it. */
export interface TaskSubmit<A> {
  /** For log lines ("suno", "video", "midjourney"). */
  kind: string;
  model: string;
  target: TaskChannel;
  /** Per-call price multiplier (video seconds × size). */
  priceMultiplier?: number;
  /** Writes the intent row (no upstream id yet; `reserved` is the quota held); its id. */
  recordIntent(reserved: number): Promise<number>;
  /** Removes the intent row after the upstream refused or could not be reached. */
  dropIntent(id: number): Promise<void>;
  /** Calls the upstream; throws (in the caller's dialect) when it did not take the task. */
  call(): Promise<A>;
  /** The log content the answer is charged under, or undefined to charge nothing for it. */
  charge(answer: A): string | undefined;
  /** Writes the answer and the charge over the intent row; false when the row is no longer the intent. */
  complete(id: number, answer: A, charged: number): Promise<boolean>;
  /**
   * The caller's-dialect error for a call that threw `e` (return it when it already is one), or, for
   * "not_recorded", for a task whose row could not be written.
   */
  failed(e: unknown): Error;
}

/** The error `TaskSubmit.failed` is asked for when the task row cannot be written. */
export const TASK_NOT_RECORDED = "not_recorded";

/**
 * A task submit, the same for every platform: hold the price, write the intent row, call the upstream,
 * settle the charge once it accepted (durable before the row is completed: a crash at the
 * `task_after_charge` failpoint leaves an intent row with its charge, which the poller fails and refunds
 * once, `jobs/task_poll_loop.ts`), then complete the row; a row that cannot be completed is refunded now.
 * A refusal releases the hold and drops the intent. Returns the answer and the quota charged.
 */
export async function submitTask<A>(
  deps: AppDeps,
  c: Context,
  caller: Caller,
  requestId: string,
  s: TaskSubmit<A>,
): Promise<{ answer: A; charged: number }> {
  const session = await holdTaskPrice(deps, c, caller, s.model, requestId, s.priceMultiplier);
  session.useChannel({ id: s.target.channel.id, setting: s.target.channel.setting });
  const intentId = await s.recordIntent(session.reserved).catch(async (e) => {
    await session.release();
    log.error(`${s.kind} task intent not recorded`, { requestId, error: String(e) });
    throw s.failed(TASK_NOT_RECORDED);
  });
  let answer: A;
  try {
    answer = await s.call();
  } catch (e) {
    await session.release();
    await s.dropIntent(intentId).catch(() => {});
    throw s.failed(e);
  }
  const content = s.charge(answer);
  const charged = content === undefined
    ? (await session.release(), 0)
    : await settleTaskPrice(deps, session, s.target.channel, content, true, s.priceMultiplier ?? 1);
  failpoint("task_after_charge");
  const recorded = await s.complete(intentId, answer, charged)
    .catch((e) => (log.error(`${s.kind} task not recorded`, { requestId, error: String(e) }), false));
  if (!recorded) {
    // Refunded now; the intent row left behind is failed by the poller, which then finds nothing to refund.
    if (charged > 0) {
      await refundSettled(deps.db, { requestId, quota: charged, content: "task not recorded" }, deps.logDb);
    }
    throw s.failed(TASK_NOT_RECORDED);
  }
  return { answer, charged };
}

/**
 * A `tasks` row of a submit (Suno, video), built at the intent (`quota` held, no task id) and again at the
 * completion (`quota` charged, the upstream's id); the submit time is the intent's.
 */
export function taskRowOf(
  caller: Caller,
  target: TaskChannel,
  requestId: string,
  f: { platform: string; action: string; properties?: string },
): (quota: number, taskId?: string) => NewTask {
  const submitTime = Math.floor(Date.now() / 1000);
  return (quota, taskId = "") => ({
    taskId,
    platform: f.platform,
    userId: caller.user.id,
    group: caller.usingGroup,
    channelId: target.channel.id,
    quota,
    action: f.action,
    status: TaskStatus.notStart,
    failReason: "",
    submitTime,
    startTime: 0,
    finishTime: 0,
    progress: "0%",
    properties: f.properties ?? "",
    data: "",
    requestId,
    tokenId: caller.token?.id ?? 0,
  });
}
