/**
 * The disconnect and failure policy: what a request is charged once it ends, decided from how it ended,
 * what the upstream reported and what the client received.
 *
 * 1. The upstream reported usage (normally, or in its final event read within DISCONNECT_USAGE_WAIT_MS of
 *    the client leaving — the relay keeps reading upstream that long, then aborts it): charge that usage,
 *    whatever else happened; the upstream billed it.
 * 2. No usage, but answer content reached the client (client left mid-stream, upstream broke mid-stream,
 *    or it finished without a usage event): charge the estimated prompt plus the delivered completion
 *    counted locally by a StreamMeter, marked `estimated`. Never zero when tokens were delivered; error
 *    text is never fed to the meter, so it is never billed.
 * 3. No usage and nothing delivered: an upstream error or a client that left before the first token →
 *    release the reservation, charge 0. A normal completion with an empty answer and no usage is charged
 *    the estimated prompt (the upstream did read it).
 */
import type { StreamMeter } from "./stream_meter.ts";
import type { BillableUsage } from "./usage.ts";

/** How long the relay keeps reading upstream after the client left, for the final usage event. */
export const DISCONNECT_USAGE_WAIT_MS = 5_000;

export type RequestEnd =
  /** The upstream finished normally. */
  | "completed"
  /** The client went away before the upstream finished. */
  | "client_gone"
  /** The upstream failed (error status, error event, reset, timeout). */
  | "upstream_error"
  /** The relay cut the stream: its running cost passed the hold and the wallet could not extend it. */
  | "quota_exhausted";

export interface EndState {
  end: RequestEnd;
  /** Usage the upstream reported, if any arrived. */
  upstreamUsage?: BillableUsage;
  /** Estimated prompt tokens (the same estimate the reservation used). */
  promptTokens: number;
  /** What reached the client; absent for a non-stream answer that was never written. */
  meter?: StreamMeter;
}

/** The usage to settle, or null to release the reservation with no charge. */
export function usageAtEnd(s: EndState): BillableUsage | null {
  if (s.upstreamUsage) return s.upstreamUsage;
  const delivered = s.meter?.delivered ?? false;
  if (!delivered && s.end !== "completed") return null;
  return {
    inputTokens: Math.max(0, s.promptTokens),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: delivered ? s.meter!.tokens : 0,
    estimated: true,
  };
}
