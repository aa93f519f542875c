/**
 * Token counting for Claude (`POST /v1/messages/count_tokens`) and Gemini (`:countTokens`) clients. The
 * request is authenticated and routed like a relay request (key, model allow-list, routable channels) but
 * holds no quota and no rate-limit slot: counting is free, as it is upstream. A channel that speaks the
 * caller's dialect counts it (the body passed through, model mapped); any other channel, or a native
 * count that fails, is answered here with the tokenizer's estimate of the prompt (the reservation's count).
 */
import type { Context } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import type { ChannelView } from "../../store/cache/catalog.ts";
import { log } from "../../server/logger.ts";
import { selectChannel } from "../routing/select_channel.ts";
import { estimatePromptTokens, tokenCounter } from "../billing/estimate.ts";
import type { RelayCtx } from "../pipeline/context.ts";
import { newRelayContext, type RelayEntry } from "../pipeline/run.ts";
import { readRequestBody } from "../pipeline/read_body.ts";
import { checkModelName, parseRequest } from "../pipeline/parse_request.ts";
import { checkModelAccess, routableTiers } from "../pipeline/admit.ts";
import { type ChannelConfig, channelConfig, pickKey } from "../pipeline/channel_config.ts";
import { planRequest } from "../pipeline/attempt.ts";
import { promptShapeOf } from "../pipeline/prompt_estimate.ts";
import { errorResponse, requestIdHeaders, toRelayError } from "../pipeline/errors.ts";

/** A count answer is a few bytes; anything larger is not one. */
const MAX_COUNT_ANSWER = 64 * 1024;

function answer(ctx: RelayCtx, body: BodyInit): Response {
  return new Response(body, {
    status: 200,
    headers: { "content-type": "application/json", ...requestIdHeaders(ctx.dialect, ctx.requestId) },
  });
}

/** The count from the channel itself, or undefined when it could not give one. */
async function countUpstream(
  ctx: RelayCtx,
  channel: ChannelView,
  config: ChannelConfig,
): Promise<Response | undefined> {
  const picked = pickKey(channel);
  if (!picked) return undefined;
  const { deps } = ctx;
  try {
    const plan = await planRequest(ctx, channel, config, picked.key, false);
    const res = await deps.upstream.request({
      method: "POST",
      url: plan.url,
      headers: plan.headers,
      body: plan.body,
      signal: ctx.clientSignal,
      proxy: plan.proxy,
    });
    if (!res.ok) {
      await res.cancel();
      log.warn("native token count failed; counted locally", { channel: channel.id, status: res.status });
      return undefined;
    }
    const bytes = await res.bytes(MAX_COUNT_ANSWER);
    const json = JSON.parse(new TextDecoder().decode(bytes));
    const field = ctx.dialect === "claude" ? "input_tokens" : "totalTokens";
    if (typeof json?.[field] !== "number") throw new Error(`no ${field} in the answer`);
    return answer(ctx, bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    log.warn("native token count failed; counted locally", { channel: channel.id, error: String(e) });
    return undefined;
  }
}

export async function handleCountTokens(deps: AppDeps, c: Context, entry: RelayEntry): Promise<Response> {
  const ctx = newRelayContext(deps, c, entry);
  try {
    ctx.caller = await entry.authenticate(ctx, c);
    const bytes = await readRequestBody(c.req.raw, deps.config.maxRequestBodyBytes);
    ctx.parsed = await parseRequest(
      entry.endpoint,
      bytes,
      c.req.header("content-type") ?? "",
      entry.context?.(c),
    );
    checkModelName(ctx.parsed.model);
    checkModelAccess(ctx);
    const channel = selectChannel(routableTiers(ctx))!;
    const config = channelConfig(channel)!;
    if (config.provider.passthrough.has(entry.endpoint.name)) {
      const native = await countUpstream(ctx, channel, config);
      if (native) return native;
    }
    const tokens = estimatePromptTokens(await tokenCounter(), promptShapeOf(ctx.parsed.ir!));
    return answer(
      ctx,
      JSON.stringify(ctx.dialect === "claude" ? { input_tokens: tokens } : { totalTokens: tokens }),
    );
  } catch (e) {
    return errorResponse(ctx.dialect, toRelayError(e), ctx.requestId);
  } finally {
    ctx.inflight.end();
  }
}
