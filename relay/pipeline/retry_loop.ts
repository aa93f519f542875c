/**
 * The attempt loop: pick a channel not yet tried (highest priority tier first, weighted inside it), try
 * it, and on a failure before any byte reached the client, log it for admins, take the channel or key out
 * of rotation when the failure says so, and retry while New API's policy allows (never a pinned channel,
 * never a 400 by default, at most RetryTimes retries). One reservation covers every attempt.
 */
import type { RelayCtx } from "./context.ts";
import type { ChannelView } from "../../store/cache/catalog.ts";
import { selectChannel } from "../routing/select_channel.ts";
import { buildRetryPolicy, type RetryPolicy, shouldDisable, shouldRetry } from "../routing/retry_policy.ts";
import { RelayError } from "../formats/errors.ts";
import { Role } from "../../store/users.ts";
import { optionRegistry } from "../../options/index.ts";
import { log } from "../../server/logger.ts";
import { disableChannel } from "../health/channel_state.ts";
import { channelConfig, enabledKeys, pickKey } from "./channel_config.ts";
import {
  type Affinity,
  affinityChannel,
  affinityConfig,
  affinityKey,
  affinityNote,
  lookupAffinity,
  rememberAffinity,
} from "./affinity.ts";
import { attemptChannel } from "./attempt.ts";
import type { Failure } from "./failure.ts";
import { logUpstreamFailure } from "./error_log.ts";
import type { ChannelBreaker } from "../health/breaker.ts";
import { countsAsChannelError } from "../health/error_window.ts";

const cache = new WeakMap<object, { version: number; policy: RetryPolicy }>();

/** The retry policy from the options, rebuilt only when the catalog changed. */
export function retryPolicy(catalog: RelayCtx["deps"]["catalog"]): RetryPolicy {
  const cached = cache.get(catalog);
  if (cached?.version === catalog.version) return cached.policy;
  const policy = buildRetryPolicy({
    retryTimes: optionRegistry.int(catalog, "RetryTimes"),
    retryStatusCodes: optionRegistry.string(catalog, "AutomaticRetryStatusCodes"),
    autoDisable: optionRegistry.bool(catalog, "AutomaticDisableChannelEnabled"),
    disableStatusCodes: optionRegistry.string(catalog, "AutomaticDisableStatusCodes"),
    disableKeywords: optionRegistry.string(catalog, "AutomaticDisableKeywords"),
    errorRate: {
      enabled: optionRegistry.bool(catalog, "channel_error_rate_setting.enabled"),
      errors: optionRegistry.int(catalog, "channel_error_rate_setting.errors"),
      requests: optionRegistry.int(catalog, "channel_error_rate_setting.requests"),
    },
  });
  cache.set(catalog, { version: catalog.version, policy });
  return policy;
}

async function recordFailure(
  ctx: RelayCtx,
  policy: RetryPolicy,
  channel: ChannelView,
  failure: Failure,
  keyIndex: number,
): Promise<void> {
  const { deps } = ctx;
  logUpstreamFailure(ctx, channel.id, failure.detail, failure.client.message, failure.upstreamStatus);
  deps.metrics.upstreamFailure(channel.id, channel.type, failure.upstreamStatus);
  const routing = { ...failure.routing, status: failure.upstreamStatus || failure.routing.status };
  let reason: string | undefined;
  if (keyIndex >= 0 && shouldDisable(policy, routing, channel.autoBan !== 0)) {
    reason = failure.detail.slice(0, 300);
  } else if (
    keyIndex >= 0 && !routing.channelError && errorRateTripped(ctx, policy, channel, keyIndex, routing.status)
  ) {
    reason = `${policy.errorRateErrors} errors in the last ${policy.errorRateRequests} requests (last: ${
      failure.detail.slice(0, 200)
    })`;
  }
  if (reason) {
    await disableChannel(deps, channel.id, keyIndex, channel.keys.length, reason).catch(
      (err) => log.error("auto-disable failed", { channel: channel.id, error: String(err) }),
    );
  }
}

/**
 * Records an attempt in the channel's (key's) error window; true when it just reached the threshold and
 * the channel may be auto-disabled (auto_ban on). A success is recorded too, so the rate is over requests.
 */
function errorRateTripped(
  ctx: RelayCtx,
  policy: RetryPolicy,
  channel: ChannelView,
  keyIndex: number,
  status: number | undefined,
): boolean {
  if (policy.errorRateErrors === 0 || channel.autoBan === 0) return false;
  const failed = status === undefined ? false : countsAsChannelError(status);
  const key = channel.info.isMultiKey ? keyIndex : -1;
  return ctx.deps.errorWindow.record(
    channel.id,
    key,
    failed,
    policy.errorRateErrors,
    policy.errorRateRequests,
  );
}

/**
 * The next channel to try: untried and not ejected by the breaker; when every untried one is ejected,
 * an ejected one anyway (a likely failure beats a certain 503).
 */
function pickChannel(
  tiers: ChannelView[][],
  tried: Set<number>,
  breaker: ChannelBreaker,
): ChannelView | undefined {
  let channel: ChannelView | undefined;
  if (breaker.tracking) {
    const skip = new Set(tried);
    for (const tier of tiers) for (const c of tier) if (breaker.ejected(c.id)) skip.add(c.id);
    channel = selectChannel(tiers, skip);
  }
  channel ??= selectChannel(tiers, tried);
  if (channel) breaker.picked(channel.id);
  return channel;
}

/**
 * A rule's `skip_retry_on_failure` keeps a failed session on its channel only for failures another
 * channel would not cure; a 429, a 5xx or a connection failure always moves on (New API stops there too,
 * which leaves Codex sessions stuck on a rate-limited channel).
 */
function affinityStopsRetry(affinity: Affinity | undefined, channel: ChannelView, failure: Failure): boolean {
  if (!affinity?.used || !affinity.match.skipRetryOnFailure) return false;
  if (affinity.remembered?.channelId !== channel.id) return false;
  const status = failure.upstreamStatus || failure.routing.status;
  return !failure.routing.channelError && status !== 0 && status !== 429 && status < 500;
}

/**
 * Cross-group retry (a token of group "auto" with `cross_group_retry`, New API's rule): when every channel
 * of the current auto group was tried, the request moves to the next auto group that serves the model,
 * priced at that group's ratio (the hold grows if it costs more). A group the wallet cannot cover or
 * that cannot price the model is passed over. Returns that group's tiers, or undefined.
 */
async function nextGroup(ctx: RelayCtx): Promise<ChannelView[][] | undefined> {
  const caller = ctx.caller!;
  while (ctx.nextGroups?.length) {
    const { group, tiers } = ctx.nextGroups.shift()!;
    let price;
    try {
      price = ctx.deps.billing.price({
        model: ctx.parsed!.model,
        userGroup: caller.user.group,
        usingGroup: group,
        isAdmin: caller.user.role >= Role.admin,
      });
    } catch {
      continue;
    }
    if (!(await ctx.session!.switchGroup(group, price))) continue;
    const from = caller.usingGroup;
    caller.usingGroup = group;
    ctx.session!.adminNote("cross_group_retry", { from, to: group });
    return tiers;
  }
  return undefined;
}

/** Runs attempts until one answers; throws the client's error when none can. */
export async function runAttempts(ctx: RelayCtx, firstTiers: ChannelView[][]): Promise<Response> {
  let tiers = firstTiers;
  const policy = retryPolicy(ctx.deps.catalog);
  const pinned = ctx.caller!.pinnedChannelId !== undefined;
  const tried = new Set<number>();
  /** Keys of multi-key channels that failed for this request: the channel is tried again on another. */
  const triedKeys = new Map<number, Set<number>>();
  let last: Failure | undefined;
  const breaker = ctx.deps.breaker;
  const affinity = pinned ? undefined : await lookupAffinity(ctx);
  for (let attempt = 0;; attempt++) {
    let channel = attempt === 0 && affinity
      ? affinityChannel(ctx, affinity, tiers, (id) => breaker.tracking && breaker.ejected(id))
      : undefined;
    if (channel) breaker.picked(channel.id);
    else channel = pickChannel(tiers, tried, breaker);
    while (!channel && ctx.nextGroups?.length) {
      const next = await nextGroup(ctx);
      if (!next) break;
      tiers = next;
      channel = pickChannel(tiers, tried, breaker);
    }
    if (!channel) {
      throw last?.client ??
        new RelayError(503, `No available channel for model ${ctx.parsed!.model}`, {
          code: "model_not_found",
        });
    }
    ctx.session!.useChannel({ id: channel.id, setting: channel.setting });
    const failedKeys = triedKeys.get(channel.id) ?? new Set<number>();
    const picked = pickKey(channel, Math.random, affinityKey(affinity, channel), failedKeys);
    if (picked && channel.info.isMultiKey) triedKeys.set(channel.id, failedKeys.add(picked.index));
    // A channel is tried for good unless another of its keys is left for a retry.
    if (!channel.info.isMultiKey || !enabledKeys(channel).some((i) => !failedKeys.has(i))) {
      tried.add(channel.id);
    }
    const config = affinityConfig(affinity, channel, channelConfig(channel)!);
    if (affinity) {
      ctx.session!.adminNote("channel_affinity", affinityNote(affinity, channel.id, picked?.index));
    }
    const outcome = await attemptChannel(ctx, channel, config, picked);
    if ("response" in outcome) {
      breaker.success(channel.id);
      errorRateTripped(ctx, policy, channel, picked?.index ?? 0, undefined);
      rememberAffinity(ctx, affinity, channel, picked?.index ?? -1);
      return outcome.response;
    }
    last = outcome.failure;
    if (!last.routing.channelError) breaker.failure(channel.id, last.upstreamStatus);
    await recordFailure(ctx, policy, channel, last, outcome.keyIndex ?? -1);
    const ctxRetry = { attempt, bytesSentToClient: false, pinnedChannel: pinned };
    if (!shouldRetry(policy, last.routing, ctxRetry)) throw last.client;
    if (affinityStopsRetry(affinity, channel, last)) throw last.client;
  }
}
