/**
 * The one pricing function set: which ratios apply to a request (`resolvePrice`), the worst case to
 * reserve before the upstream call (`reservationQuota`), and the exact charge for reported usage
 * (`usageQuota`). Pure: they take the price table and numbers, and every result is a saturated integer.
 */
import { ModelNotPricedError } from "./errors.ts";
import type { PriceTable } from "./price_table.ts";
import { CLAUDE_1H_CACHE_WRITE_MULTIPLIER, SELF_USE_FALLBACK_RATIO } from "./default_ratios.ts";
import { type QuotaClamp, toQuota } from "./quota_math.ts";
import type { BillableUsage } from "./usage.ts";

export interface PriceData {
  /** The billing model name (before channel model mapping). */
  model: string;
  /** True when a fixed per-call price applies; ratios are then informational. */
  usePrice: boolean;
  /** USD per call, or -1 for ratio-billed models (New API logs it so). */
  modelPrice: number;
  modelRatio: number;
  completionRatio: number;
  cacheRatio: number;
  /** Cache-write ratio (the 5-minute rate for Claude). */
  createCacheRatio: number;
  /** Claude 1-hour cache write: the 5-minute rate × 1.6. */
  createCache1hRatio: number;
  imageRatio: number;
  audioRatio: number;
  audioCompletionRatio: number;
  groupRatio: number;
  /** The special user-group ratio, or -1 when the plain group ratio applied. */
  userGroupRatio: number;
  quotaPerUnit: number;
  /** The model had no price and self-use mode billed it at New API's fallback ratio. */
  selfUseFallback: boolean;
}

export interface PriceQuery {
  model: string;
  userGroup: string;
  /** The group the request is routed through (token group, or the user's group). */
  usingGroup: string;
  selfUseMode: boolean;
  /** Only changes the wording of the "not priced" error. */
  isAdmin?: boolean;
  quotaPerUnit: number;
}

/** The price data for a request, or ModelNotPricedError when the model has no price and no ratio. */
export function resolvePrice(table: PriceTable, q: PriceQuery): PriceData {
  const group = table.groupRatio(q.userGroup, q.usingGroup);
  const price = table.modelPrice(q.model);
  let ratio = table.modelRatio(q.model);
  let selfUseFallback = false;
  if (price === undefined && ratio === undefined) {
    if (!q.selfUseMode) throw new ModelNotPricedError(q.model, q.isAdmin ?? false);
    ratio = SELF_USE_FALLBACK_RATIO;
    selfUseFallback = true;
  }
  const createCacheRatio = table.createCacheRatio(q.model);
  return {
    model: q.model,
    usePrice: price !== undefined,
    modelPrice: price ?? -1,
    modelRatio: ratio ?? 0,
    completionRatio: table.completionRatio(q.model),
    cacheRatio: table.cacheRatio(q.model),
    createCacheRatio,
    createCache1hRatio: createCacheRatio * CLAUDE_1H_CACHE_WRITE_MULTIPLIER,
    imageRatio: table.imageRatio(q.model),
    audioRatio: table.audioRatio(q.model),
    audioCompletionRatio: table.audioCompletionRatio(q.model),
    groupRatio: group.ratio,
    userGroupRatio: group.userGroupRatio,
    quotaPerUnit: q.quotaPerUnit > 0 && Number.isFinite(q.quotaPerUnit) ? q.quotaPerUnit : 500_000,
    selfUseFallback,
  };
}

/**
 * A channel's prompt-cache ratio (0–1) replaces the model's cache-read ratio for requests it serves,
 * e.g. for a reseller channel that passes on a different cache discount.
 */
export function withChannelCacheRatio(price: PriceData, channelCacheRatio: number | undefined): PriceData {
  if (channelCacheRatio === undefined || !(channelCacheRatio >= 0 && channelCacheRatio <= 1)) return price;
  return { ...price, cacheRatio: channelCacheRatio };
}

/** Reads `prompt_cache_ratio` (0–1) from a channel's `setting` JSON; undefined when absent or invalid. */
export function channelPromptCacheRatio(setting: string | undefined): number | undefined {
  if (!setting) return undefined;
  try {
    const v = JSON.parse(setting)?.prompt_cache_ratio;
    return typeof v === "number" && v >= 0 && v <= 1 ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface ReservationInput {
  /** Estimated prompt tokens. */
  promptTokens: number;
  /** The client's output cap (`max_tokens`, `max_completion_tokens`, ...), validated; 0 when unset. */
  maxTokens?: number;
  /** Number of choices/images, validated (default 1). */
  n?: number;
  /** Image size/quality multiplier for per-call image prices (default 1). */
  priceMultiplier?: number;
  /**
   * New API's `PreConsumedQuota` (default 500): the bounded default hold, in prompt tokens, of a request
   * that sets no output cap. A request with a cap holds exactly prompt + cap (no floor).
   */
  preConsumedTokens: number;
}

/**
 * The worst case to hold before the upstream call. Ratio models with an output cap: (prompt + max_tokens ×
 * n × completion ratio) × model ratio × group ratio, so a request holds what a complete answer costs and no
 * more (a token worth 10 such requests admits 10). Without a cap: max(prompt, PreConsumedQuota) × model
 * ratio × group ratio (New API's bounded default; a stream extends its hold as it grows). New API floors
 * the prompt at PreConsumedQuota even with a cap and counts max_tokens at ratio 1; we use the completion
 * ratio so the hold covers the answer. Cache-write surcharges and uncapped non-stream answers are not
 * covered: settlement charges the difference (the overdraft rule's bounded debt).
 * Fixed prices: price × QuotaPerUnit × group ratio × size/quality multiplier × n.
 */
export function reservationQuota(
  price: PriceData,
  r: ReservationInput,
): { quota: number; clamp?: QuotaClamp } {
  const n = Math.max(1, r.n ?? 1);
  if (price.usePrice) {
    return toQuota(
      price.modelPrice * price.quotaPerUnit * price.groupRatio * (r.priceMultiplier ?? 1) * n,
      "reserve_price",
    );
  }
  const cap = Math.max(0, r.maxTokens ?? 0);
  const prompt = cap > 0 ? Math.max(0, r.promptTokens) : Math.max(r.promptTokens, r.preConsumedTokens);
  const completion = cap * n * price.completionRatio;
  return toQuota((prompt + completion) * price.modelRatio * price.groupRatio, "reserve_ratio");
}

export interface UsageCharge {
  quota: number;
  clamp?: QuotaClamp;
}

/**
 * The charge for usage the upstream reported (or we estimated), New API's formula:
 * round(((input − image − audio) + cacheRead × cacheRatio + cacheWrite × createCacheRatio (1h part at the
 * 1h rate) + image × imageRatio + audioIn × audioRatio + (output − audioOut) × completionRatio +
 * audioOut × audioRatio × audioCompletionRatio) × modelRatio × groupRatio × multiplier).
 * No tokens → 0 (the upstream billed nothing); otherwise at least 1 when the ratio is positive.
 * Fixed-price models are charged their price on every successful call.
 */
export function usageQuota(price: PriceData, u: BillableUsage, multiplier = 1): UsageCharge {
  if (price.usePrice) {
    return toQuota(price.modelPrice * price.quotaPerUnit * price.groupRatio * multiplier, "settle_price");
  }
  const total = u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens + u.outputTokens;
  if (total === 0) return { quota: 0 };
  const image = u.imageInputTokens ?? 0;
  const audioIn = u.audioInputTokens ?? 0;
  const audioOut = u.audioOutputTokens ?? 0;
  const w1h = u.cacheWrite1hTokens ?? 0;
  const w5m = u.cacheWriteTokens - w1h;
  const prompt = (u.inputTokens - image - audioIn) +
    u.cacheReadTokens * price.cacheRatio +
    w5m * price.createCacheRatio +
    w1h * price.createCache1hRatio +
    image * price.imageRatio +
    audioIn * price.audioRatio;
  const completion = (u.outputTokens - audioOut) * price.completionRatio +
    audioOut * price.audioRatio * price.audioCompletionRatio;
  const ratio = price.modelRatio * price.groupRatio;
  const charge = toQuota((prompt + completion) * ratio * multiplier, "settle_ratio");
  if (charge.quota === 0 && ratio > 0 && multiplier > 0) return { quota: 1, clamp: charge.clamp };
  return charge;
}
