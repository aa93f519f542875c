/**
 * One attempt on one channel: pick a key, build the upstream request, send it with the client's
 * disconnect wired to an abort, and hand a 2xx answer to the JSON or stream writer. Anything that fails
 * before a byte reached the client comes back as a classified Failure for the retry loop.
 */
import type { ChannelView } from "../../store/cache/catalog.ts";
import type { UpstreamRequest, UpstreamResponse } from "../http/upstream_client.ts";
import type { RelayCtx } from "./context.ts";
import type { ChannelConfig } from "./channel_config.ts";
import { buildUpstreamRequest, type UpstreamPlan } from "./build_request.ts";
import { suffixOptions } from "./suffix_options.ts";
import { ChannelError, channelFailure, type Failure, transportFailure, upstreamFailure } from "./failure.ts";
import { ClientGoneError, shuttingDown } from "./errors.ts";
import { answerJson } from "./answer_json.ts";
import { answerStream } from "./answer_stream.ts";
import { providerEnv, sendUpstream } from "../providers/spec.ts";
import { guardedMediaFetcher } from "./inline_media.ts";
import { fetchSetting } from "../../notify/settings.ts";
import type { ErrorAudience } from "./sanitize.ts";
import { errorAudience } from "./secrets_in_play.ts";

export interface Attempt {
  channel: ChannelView;
  config: ChannelConfig;
  plan: UpstreamPlan;
  res: UpstreamResponse;
  key: string;
  keyIndex: number;
  /** Who this attempt's errors are for and the secrets they must not carry. */
  audience: ErrorAudience;
  /** Aborts the upstream call (the client left before the answer started). */
  abort: AbortController;
  /** Detaches the pre-answer disconnect handler (the answer writer installs its own). */
  detach(): void;
}

export type AttemptOutcome = { response: Response } | { failure: Failure; keyIndex?: number };

/** The upstream request for this client request on `channel` with `key` (throws ChannelError). */
export function planRequest(
  ctx: RelayCtx,
  channel: ChannelView,
  config: ChannelConfig,
  key: string,
  forceStreamOption: boolean,
): Promise<UpstreamPlan> {
  const { deps } = ctx;
  return buildUpstreamRequest({
    endpoint: ctx.endpoint,
    parsed: ctx.parsed!,
    channel,
    config,
    key,
    clientHeaders: ctx.clientHeaders,
    forceStreamOption,
    env: providerEnv(deps.config),
    suffixOptions: suffixOptions(deps.catalog),
    http: deps.upstream,
    fetchMedia: guardedMediaFetcher(() => fetchSetting(deps.catalog), deps.config.maxFileDownloadMb),
  });
}

/** Runs one attempt with the key `picked` for it (`pickKey`; undefined when the channel has none left). */
export async function attemptChannel(
  ctx: RelayCtx,
  channel: ChannelView,
  config: ChannelConfig,
  picked: { index: number; key: string } | undefined,
): Promise<AttemptOutcome> {
  const { deps } = ctx;
  if (!picked) return { failure: channelFailure(new ChannelError("no enabled key")), keyIndex: -1 };
  let plan: UpstreamPlan;
  try {
    plan = await planRequest(ctx, channel, config, picked.key, deps.config.forceStreamOption);
  } catch (e) {
    if (e instanceof ChannelError) return { failure: channelFailure(e), keyIndex: picked.index };
    throw e;
  }
  const audience = errorAudience(ctx, channel, picked.key, plan);
  const abort = new AbortController();
  const onGone = () => abort.abort(new ClientGoneError());
  const signals = [ctx.clientSignal, ctx.inflight.shutdown];
  for (const s of signals) s.addEventListener("abort", onGone, { once: true });
  const detach = () => {
    for (const s of signals) s.removeEventListener("abort", onGone);
  };
  if (ctx.clientSignal.aborted || ctx.inflight.shutdown.aborted) {
    detach();
    throw ctx.clientSignal.aborted ? new ClientGoneError() : shuttingDown();
  }
  const started = performance.now();
  let res: UpstreamResponse;
  ctx.sentUpstream = true;
  try {
    res = await (plan.send ?? ((r: UpstreamRequest) => sendUpstream(config.provider, deps.upstream, r)))({
      method: "POST",
      url: plan.url,
      headers: plan.headers,
      body: plan.body,
      signal: abort.signal,
      proxy: plan.proxy,
    });
  } catch (e) {
    ctx.upstreamMs += performance.now() - started;
    detach();
    if (ctx.clientSignal.aborted) throw new ClientGoneError();
    if (ctx.inflight.shutdown.aborted) throw shuttingDown();
    return { failure: transportFailure(e, audience), keyIndex: picked.index };
  }
  if (!res.ok) {
    const text = await res.readErrorText().catch(() => "");
    ctx.upstreamMs += performance.now() - started;
    detach();
    if (ctx.clientSignal.aborted) throw new ClientGoneError();
    return {
      failure: upstreamFailure(res.status, text, channel.statusCodeMapping, audience),
      keyIndex: picked.index,
    };
  }
  ctx.upstreamMs += performance.now() - started;
  const attempt: Attempt = {
    channel,
    config,
    plan,
    res,
    key: picked.key,
    keyIndex: picked.index,
    audience,
    abort,
    detach,
  };
  const outcome = ctx.parsed!.stream ? await answerStream(ctx, attempt) : await answerJson(ctx, attempt);
  return "failure" in outcome ? { failure: outcome.failure, keyIndex: picked.index } : outcome;
}
