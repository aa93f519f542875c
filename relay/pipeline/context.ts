/** The state of one relay request as it moves through the pipeline steps. */
import type { AppDeps } from "../../server/deps.ts";
import type { Endpoint } from "../endpoints.ts";
import type { Dialect } from "../formats/ir.ts";
import type { BillingSession } from "../billing/session.ts";
import type { RequestGate } from "../../kv/limits/token_limits.ts";
import type { ModelRequestLimit } from "../../kv/limits/model_request_limit.ts";
import type { InflightHandle } from "../inflight.ts";
import type { Caller } from "./key_auth.ts";
import type { ParsedRequest } from "./parse_request.ts";
import type { StreamFraming } from "./client_sink.ts";
import type { Span } from "@opentelemetry/api";
import type { ChannelView } from "../../store/cache/catalog.ts";

export interface RelayCtx {
  deps: AppDeps;
  requestId: string;
  endpoint: Endpoint;
  /** The ingress dialect: how errors and answers are written to this client. */
  dialect: Dialect;
  /** `performance.now()` at arrival. */
  startedAt: number;
  clientIp: string;
  clientHeaders: Headers;
  /** The key the client presented (header or `?key=`), kept out of upstream error text. */
  clientKey?: string;
  path: string;
  /** How a stream is written to this client (SSE unless a Gemini client asked for a JSON array). */
  framing: StreamFraming;
  /** Aborts when the client disconnects. */
  clientSignal: AbortSignal;
  inflight: InflightHandle;
  caller?: Caller;
  parsed?: ParsedRequest;
  /** The prompt estimate the hold was taken from (the exact count is `session.promptTokens`). */
  promptTokens: number;
  /** Milliseconds spent waiting on upstreams (for the overhead header). */
  upstreamMs: number;
  gate?: RequestGate;
  modelLimit?: ModelRequestLimit | null;
  session?: BillingSession;
  /** Some attempt reached an upstream (a refused request gives its RPM unit back). */
  sentUpstream: boolean;
  /**
   * A token of group "auto": the auto groups that serve the model after the one routed through now, each
   * with its tiers (cross-group retry moves into them, in order).
   */
  nextGroups?: { group: string; tiers: ChannelView[][] }[];
  /** The request's trace span (server/tracing.ts), only when traces are exported. */
  span?: Span;
}

/** The gateway's own time so far: everything but the upstream waits. */
export function overheadMs(ctx: RelayCtx, now = performance.now()): number {
  return Math.max(0, Math.round(now - ctx.startedAt - ctx.upstreamMs));
}
