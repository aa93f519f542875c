/**
 * Tests one channel (or one key of a multi-key channel) the way New API does: a tiny request for the
 * channel's test model (else its first model) on the endpoint that model needs (chat, embeddings or
 * rerank; a realtime model over its WebSocket, `realtime/channel_probe.ts`), built by the relay's own
 * request builder so mapping, overrides and provider rules apply. It is not billed. The time and outcome are returned; `test_time`/`response_time` are stored.
 */
import type { AppDeps } from "../../server/deps.ts";
import type { ChannelView } from "../../store/cache/catalog.ts";
import { nowSeconds } from "../../store/db.ts";
import { endpoint, type EndpointName } from "../endpoints.ts";
import { channelConfig, pickKey } from "../pipeline/channel_config.ts";
import { buildUpstreamRequest } from "../pipeline/build_request.ts";
import { parseRequest } from "../pipeline/parse_request.ts";
import { type Failure, transportFailure, upstreamFailure } from "../pipeline/failure.ts";
import type { ErrorAudience } from "../pipeline/sanitize.ts";
import { secretsInPlay } from "../pipeline/secrets_in_play.ts";
import { RelayError } from "../formats/errors.ts";
import { providerEnv, sendUpstream } from "../providers/spec.ts";
import { isRealtimeModel, probeRealtime } from "../realtime/channel_probe.ts";

export interface ChannelTestResult {
  ok: boolean;
  /** Empty on success; otherwise why (redacted of secrets). */
  message: string;
  ms: number;
  failure?: Failure;
}

function testBody(model: string): { name: EndpointName; body: Record<string, unknown> } {
  const m = model.toLowerCase();
  if (m.includes("rerank")) {
    return {
      name: "rerank",
      body: {
        model,
        query: "What is Deep Learning?",
        documents: ["Deep Learning is a subset of machine learning."],
        top_n: 1,
      },
    };
  }
  if (m.includes("embed") || m.startsWith("m3e") || m.includes("bge-")) {
    return { name: "embeddings", body: { model, input: ["hello world"] } };
  }
  return {
    name: "chat_completions",
    body: { model, messages: [{ role: "user", content: "hi" }], max_tokens: 16 },
  };
}

export async function testChannel(
  deps: AppDeps,
  channel: ChannelView,
  opts: { model?: string; keyIndex?: number } = {},
): Promise<ChannelTestResult> {
  const started = performance.now();
  const done = (r: Omit<ChannelTestResult, "ms">): ChannelTestResult => ({
    ...r,
    ms: Math.round(performance.now() - started),
  });
  const config = channelConfig(channel);
  if (!config) return done({ ok: false, message: `channel type ${channel.type} cannot be tested` });
  const model = opts.model?.trim() || channel.testModel.trim() || channel.modelList[0] || "gpt-4o-mini";
  const { name, body } = testBody(model);
  const key = opts.keyIndex !== undefined
    ? channel.keys[opts.keyIndex]
    : pickKey(channel)?.key ?? channel.keys[0];
  if (!key) return done({ ok: false, message: "the channel has no key" });
  let failure: Failure | undefined;
  // The channel test is an admin's: it sees the upstream's text, redacted.
  const audience: ErrorAudience = { secrets: secretsInPlay({ channel, key }), admin: true };
  try {
    if (isRealtimeModel(model) && config.provider.realtimeUrl) {
      const why = await probeRealtime(channel, key, model, providerEnv(deps.config));
      if (why) failure = upstreamFailure(502, why, channel.statusCodeMapping, audience);
      return await record(
        done(failure ? { ok: false, message: failure.detail, failure } : { ok: true, message: "" }),
      );
    }
    const ep = endpoint(name);
    const parsed = await parseRequest(ep, new TextEncoder().encode(JSON.stringify(body)), "application/json");
    const plan = await buildUpstreamRequest({
      endpoint: ep,
      parsed,
      channel,
      config,
      key,
      clientHeaders: new Headers(),
      forceStreamOption: false,
      env: providerEnv(deps.config),
      http: deps.upstream,
    });
    audience.secrets = secretsInPlay({ channel, key, upstream: plan });
    const res = await sendUpstream(config.provider, deps.upstream, {
      method: "POST",
      url: plan.url,
      headers: plan.headers,
      body: plan.body,
      proxy: plan.proxy,
      totalTimeoutMs: 60_000,
    });
    if (!res.ok) {
      failure = upstreamFailure(res.status, await res.readErrorText(), channel.statusCodeMapping, audience);
    } else {
      const text = new TextDecoder().decode(await res.bytes(8 * 1024 * 1024));
      const json = config.provider.wire?.streamOnly ? text : JSON.parse(text);
      if (plan.translation) plan.translation.translateResponse(json);
      else if (json?.error) {
        failure = upstreamFailure(500, JSON.stringify(json), channel.statusCodeMapping, audience);
      }
    }
  } catch (e) {
    failure = e instanceof RelayError
      ? upstreamFailure(e.status, e, channel.statusCodeMapping, audience)
      : transportFailure(e, audience);
  }
  return await record(
    done(failure ? { ok: false, message: failure.detail, failure } : { ok: true, message: "" }),
  );

  async function record(result: ChannelTestResult): Promise<ChannelTestResult> {
    await deps.db.exec("UPDATE channels SET test_time = ?, response_time = ? WHERE id = ?", [
      nowSeconds(),
      result.ms,
      channel.id,
    ]).catch(() => {});
    return result;
  }
}
