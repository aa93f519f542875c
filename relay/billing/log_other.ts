/**
 * The consume row's `other` JSON with New API's keys (ratios, cache tokens, first-response time, retry
 * chain under `admin_info.use_channel`, ...) plus ours: `request_id`, `estimated`, and the audits
 * (`admin_info.quota_saturation`, `admin_info.usage_clamped`). `admin_info` is stripped for non-admins.
 */
import type { PriceData } from "./pricing.ts";
import type { QuotaClamp } from "./quota_math.ts";
import type { RequestEnd } from "./stream_end.ts";
import { type BillableUsage, promptTokensOf } from "./usage.ts";
import { webSearchPricePerThousand } from "./tool_price.ts";

export interface ConsumeDetails {
  price: PriceData;
  usage: BillableUsage;
  requestId: string;
  isStream: boolean;
  /** Milliseconds from the request to the first byte of the answer. */
  frtMs: number;
  /** Channel ids tried, in order (the last one produced the answer). */
  useChannel: readonly number[];
  /** Routing decisions shown to admins beside the retry chain (`admin_info.channel_affinity`, ...). */
  adminNotes?: Record<string, unknown>;
  upstreamModel?: string;
  reasoningEffort?: string;
  requestPath?: string;
  end?: RequestEnd;
  clamp?: QuotaClamp;
  usageClamped?: boolean;
  /** Built-in web search calls billed (New API's `web_search`, `web_search_call_count`, `web_search_price`). */
  webSearchCalls?: number;
}

/** The log's `prompt_tokens` column: Claude-semantics rows show input without cache, as New API does. */
export function loggedPromptTokens(u: BillableUsage): number {
  return u.semantic === "anthropic" ? u.inputTokens : promptTokensOf(u);
}

export function consumeOther(d: ConsumeDetails): Record<string, unknown> {
  const { price, usage } = d;
  const admin: Record<string, unknown> = { ...d.adminNotes, use_channel: d.useChannel.map(String) };
  if (d.clamp) admin.quota_saturation = d.clamp;
  if (d.usageClamped) admin.usage_clamped = true;
  if (usage.estimated) admin.local_count_tokens = true;
  const other: Record<string, unknown> = {
    model_ratio: price.modelRatio,
    group_ratio: price.groupRatio,
    completion_ratio: price.completionRatio,
    cache_tokens: usage.cacheReadTokens,
    cache_ratio: price.cacheRatio,
    model_price: price.modelPrice,
    user_group_ratio: price.userGroupRatio,
    frt: d.frtMs,
    request_id: d.requestId,
    admin_info: admin,
  };
  if (d.reasoningEffort) other.reasoning_effort = d.reasoningEffort;
  if (d.upstreamModel && d.upstreamModel !== price.model) {
    other.is_model_mapped = true;
    other.upstream_model_name = d.upstreamModel;
  }
  if (d.requestPath) other.request_path = d.requestPath;
  if (d.webSearchCalls) {
    other.web_search = true;
    other.web_search_call_count = d.webSearchCalls;
    other.web_search_price = webSearchPricePerThousand(price.model);
  }
  if (usage.semantic === "anthropic") {
    other.claude = true;
    other.usage_semantic = "anthropic";
    other.cache_creation_tokens = usage.cacheWriteTokens;
    other.cache_creation_ratio = price.createCacheRatio;
  } else if (usage.cacheWriteTokens > 0) {
    other.cache_creation_tokens = usage.cacheWriteTokens;
    other.cache_creation_ratio = price.createCacheRatio;
  }
  if (usage.cacheWrite5mTokens) {
    other.cache_creation_tokens_5m = usage.cacheWrite5mTokens;
    other.cache_creation_ratio_5m = price.createCacheRatio;
  }
  if (usage.cacheWrite1hTokens) {
    other.cache_creation_tokens_1h = usage.cacheWrite1hTokens;
    other.cache_creation_ratio_1h = price.createCache1hRatio;
  }
  if (usage.cacheWriteTokens > 0) other.cache_write_tokens = usage.cacheWriteTokens;
  if (usage.imageInputTokens) {
    other.image = true;
    other.image_ratio = price.imageRatio;
    other.image_output = usage.imageInputTokens;
  }
  if (usage.audioInputTokens || usage.audioOutputTokens) {
    other.audio = true;
    other.audio_input = usage.audioInputTokens ?? 0;
    other.audio_output = usage.audioOutputTokens ?? 0;
    other.audio_ratio = price.audioRatio;
    other.audio_completion_ratio = price.audioCompletionRatio;
  }
  if (usage.reasoningTokens) other.reasoning_tokens = usage.reasoningTokens;
  if (usage.estimated) other.estimated = true;
  if (d.isStream && d.end && d.end !== "completed") {
    other.stream_status = { status: "error", end_reason: d.end };
  }
  return other;
}
