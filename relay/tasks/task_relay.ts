/**
 * What every async-task route (Midjourney, Suno) shares: the caller of the key (New API also reads
 * `mj-api-secret` on `/mj`), the channel of a task platform, and the charge: the price is held before the
 * upstream is called, settled once when the upstream accepts the task (made durable before the task row is
 * written, so a row always has its charge), released otherwise. Refunds go through `store/refunds.ts`.
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
import { checkLimits } from "../pipeline/admit.ts";
import type { RelayCtx } from "../pipeline/context.ts";

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
  if (!picked || !ch.baseUrl) return undefined;
  const proxy = parseJsonObject(ch.setting).proxy;
  return {
    channel: ch,
    key: picked.key,
    keyIndex: picked.index,
    baseUrl: ch.baseUrl.trim().replace(/\/+$/, ""),
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
