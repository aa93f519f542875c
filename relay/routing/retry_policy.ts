/**
 * When to try another channel and when to take a channel out of rotation, as New API decides it:
 * `RetryTimes` attempts after the first, retry only on statuses in `AutomaticRetryStatusCodes` (400 and
 * 408 excluded by default, 504/524 never), never once bytes reached the client or the request was pinned
 * to a channel. Auto-disable on `AutomaticDisableStatusCodes` or a keyword of `AutomaticDisableKeywords`
 * found in the upstream error message, when `AutomaticDisableChannelEnabled` and the channel's auto_ban.
 */
import { inRanges, parseStatusRanges, type StatusRanges } from "./status_ranges.ts";

export const DEFAULT_RETRY_STATUS_CODES = "100-199,300-399,401-407,409-499,500-503,505-523,525-599";
export const DEFAULT_DISABLE_KEYWORDS = [
  "Your credit balance is too low",
  "This organization has been disabled.",
  "You exceeded your current quota",
  "Permission denied",
  "The security token included in the request is invalid",
  "Operation not allowed",
  "Your account is not authorized",
].join("\n");

export interface RetryPolicy {
  retryTimes: number;
  retryStatuses: StatusRanges;
  autoDisable: boolean;
  disableStatuses: StatusRanges;
  /** Lower-cased keywords. */
  disableKeywords: string[];
  /** "Disable after `errorRateErrors` errors in `errorRateRequests` requests"; 0 errors: off. */
  errorRateErrors: number;
  errorRateRequests: number;
}

export function buildRetryPolicy(input: {
  retryTimes: number;
  retryStatusCodes: string;
  autoDisable: boolean;
  disableStatusCodes: string;
  disableKeywords: string;
  errorRate?: { enabled: boolean; errors: number; requests: number };
}): RetryPolicy {
  const safe = (text: string, fallback: string) => {
    try {
      return parseStatusRanges(text);
    } catch {
      return parseStatusRanges(fallback);
    }
  };
  return {
    retryTimes: Math.max(0, Math.min(10, Math.trunc(input.retryTimes) || 0)),
    retryStatuses: safe(input.retryStatusCodes, DEFAULT_RETRY_STATUS_CODES),
    autoDisable: input.autoDisable,
    disableStatuses: safe(input.disableStatusCodes, "401"),
    disableKeywords: input.disableKeywords.split("\n").map((k) => k.trim().toLowerCase()).filter(Boolean),
    errorRateErrors: input.errorRate?.enabled ? Math.max(0, Math.trunc(input.errorRate.errors)) : 0,
    errorRateRequests: Math.max(1, Math.trunc(input.errorRate?.requests ?? 1)),
  };
}

/** What went wrong with one attempt, as far as routing cares. */
export interface AttemptFailure {
  /** Upstream HTTP status, or 0 for a connection-level failure (refused, reset, timeout before headers). */
  status: number;
  /** Upstream error message (for keyword matching); never shown to users as is. */
  message: string;
  /** A local problem with the channel itself (no usable key, bad override): always retried. */
  channelError?: boolean;
}

export function shouldRetry(
  policy: RetryPolicy,
  failure: AttemptFailure,
  ctx: { attempt: number; bytesSentToClient: boolean; pinnedChannel: boolean },
): boolean {
  if (ctx.bytesSentToClient || ctx.pinnedChannel) return false;
  if (ctx.attempt >= policy.retryTimes) return false;
  if (failure.channelError || failure.status === 0) return true;
  if (failure.status >= 200 && failure.status < 300) return false;
  if (failure.status === 504 || failure.status === 524) return false;
  if (failure.status < 100 || failure.status > 599) return true;
  return inRanges(policy.retryStatuses, failure.status);
}

/** Should this failure take the channel (or the key, on a multi-key channel) out of rotation? */
export function shouldDisable(
  policy: RetryPolicy,
  failure: AttemptFailure,
  channelAutoBan: boolean,
): boolean {
  if (!policy.autoDisable || !channelAutoBan) return false;
  if (failure.channelError) return true;
  if (failure.status && inRanges(policy.disableStatuses, failure.status)) return true;
  const message = failure.message.toLowerCase();
  return message !== "" && policy.disableKeywords.some((k) => message.includes(k));
}
