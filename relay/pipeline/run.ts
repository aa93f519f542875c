/**
 * One relay request from arrival to answer, in the order of `docs/architecture.md` § The relay request:
 * authenticate, read and validate the body, model allow-list, limits, routable channels, reservation,
 * attempts. A failure before the answer started releases what was held (the reservation, the token's
 * concurrency slot, and its RPM unit when nothing reached an upstream) and answers in the caller's
 * dialect. The entry decides who the caller is (API key, or the console session for the playground).
 */
import type { Context } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import type { Endpoint } from "../endpoints.ts";
import type { DecodeRequestContext } from "../formats/codec.ts";
import { log } from "../../server/logger.ts";
import { RelayError } from "../formats/errors.ts";
import { BillingError } from "../billing/errors.ts";
import type { RelayCtx } from "./context.ts";
import type { StreamFraming } from "./client_sink.ts";
import { type Caller, presentedKey } from "./key_auth.ts";
import { ClientGoneError, errorResponse, REQUEST_ID_HEADER, toRelayError } from "./errors.ts";
import { newRequestId } from "./request_id.ts";
import { readRequestBody } from "./read_body.ts";
import { checkModelName, parseRequest } from "./parse_request.ts";
import { checkLimits, checkModelAccess, reserve, routableTiers } from "./admit.ts";
import { runAttempts } from "./retry_loop.ts";
import { endRelaySpan, startRelaySpan } from "../../server/tracing.ts";

export interface RelayEntry {
  endpoint: Endpoint;
  /** Request facts outside the body (Gemini's model and stream live in the URL). */
  context?(c: Context): DecodeRequestContext;
  /** How a stream is written (Gemini without `alt=sse`: one JSON array). */
  framing?(c: Context): StreamFraming;
  /** Identifies the caller; runs before the body is read unless `afterBody` (it may then read it). */
  authenticate(ctx: RelayCtx, c: Context): Caller | Promise<Caller>;
  afterBody?: boolean;
}

/** The state of a request that just arrived on `entry`'s route. */
export function newRelayContext(deps: AppDeps, c: Context, entry: RelayEntry): RelayCtx {
  const endpoint = entry.endpoint;
  const url = new URL(c.req.url);
  const requestId = newRequestId();
  return {
    deps,
    requestId,
    endpoint,
    dialect: endpoint.dialect,
    startedAt: performance.now(),
    clientIp: c.get("clientIp") ?? "",
    clientHeaders: c.req.raw.headers,
    clientKey: presentedKey(url.pathname, c.req.raw.headers, url),
    path: url.pathname,
    clientSignal: c.req.raw.signal,
    framing: entry.framing?.(c) ?? "sse",
    inflight: deps.inflight.begin(),
    promptTokens: 0,
    upstreamMs: 0,
    sentUpstream: false,
    span: startRelaySpan(endpoint.name, requestId),
  };
}

/** Gives back what a request that failed before its answer held. */
export async function releaseHolds(ctx: RelayCtx): Promise<void> {
  try {
    await ctx.session?.release();
    await ctx.gate?.release({ refund: !ctx.sentUpstream });
  } catch (err) {
    log.error("releasing a failed request's holds failed", { requestId: ctx.requestId, error: String(err) });
  } finally {
    ctx.inflight.end();
  }
}

export async function handleRelay(deps: AppDeps, c: Context, entry: RelayEntry): Promise<Response> {
  const ctx = newRelayContext(deps, c, entry);
  try {
    if (!entry.afterBody) ctx.caller = await entry.authenticate(ctx, c);
    const bytes = await readRequestBody(c.req.raw, deps.config.maxRequestBodyBytes);
    const contentType = c.req.header("content-type") ?? "";
    ctx.parsed = await parseRequest(entry.endpoint, bytes, contentType, entry.context?.(c));
    checkModelName(ctx.parsed.model);
    if (entry.afterBody) ctx.caller = await entry.authenticate(ctx, c);
    checkModelAccess(ctx);
    await checkLimits(ctx);
    const tiers = routableTiers(ctx);
    await reserve(ctx);
    return await runAttempts(ctx, tiers);
  } catch (e) {
    await releaseHolds(ctx);
    const err = e instanceof ClientGoneError ? undefined : toRelayError(e);
    const status = err?.status ?? 499;
    deps.metrics.refused({
      endpoint: entry.endpoint.name,
      status,
      durationMs: performance.now() - ctx.startedAt,
    });
    endRelaySpan(ctx.span, { operation: entry.endpoint.name, outcome: String(status), status });
    if (!err) return new Response(null, { status, headers: { [REQUEST_ID_HEADER]: ctx.requestId } });
    if (!(e instanceof RelayError) && !(e instanceof BillingError)) {
      log.error("relay request failed", {
        requestId: ctx.requestId,
        error: String((e as Error)?.stack ?? e),
      });
    }
    return errorResponse(ctx.dialect, err, ctx.requestId);
  }
}
