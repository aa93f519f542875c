/**
 * `GET /v1/realtime?model=`: the Realtime API over a WebSocket. The handshake is an ordinary relay request
 * up to the channel (key from `Authorization` or the `openai-insecure-api-key.<key>` subprotocol, model
 * allow-list, limits and the token's concurrency slot, routable channels, one hold), then the upstream
 * socket is opened (OpenAI `/v1/realtime`, Azure `/openai/realtime`; another channel on failure) before the
 * client's is accepted, so every refusal is an HTTP error in OpenAI's shape. The session's hold is kept
 * ahead of its running charge after each `response.done` (one admission hold of margin); when the wallet
 * cannot extend it the session closes with an error event. The session settles once, at its end, on the
 * sum of the responses' usage (released when there was none).
 */
import type { Context } from "hono";
import type { AppDeps } from "../../server/deps.ts";
import type { Endpoint } from "../endpoints.ts";
import type { ChannelView } from "../../store/cache/catalog.ts";
import { log } from "../../server/logger.ts";
import { RelayError } from "../formats/errors.ts";
import { authenticateKey } from "../pipeline/key_auth.ts";
import { errorResponse, toRelayError } from "../pipeline/errors.ts";
import { checkModelName } from "../pipeline/parse_request.ts";
import { checkLimits, checkModelAccess, reserve, routableTiers } from "../pipeline/admit.ts";
import { newRelayContext, releaseHolds } from "../pipeline/run.ts";
import type { RelayCtx } from "../pipeline/context.ts";
import { finishRequest } from "../pipeline/finish.ts";
import { pickKey } from "../pipeline/channel_config.ts";
import { selectChannel } from "../routing/select_channel.ts";
import { providerEnv } from "../providers/spec.ts";
import { optionRegistry } from "../../options/index.ts";
import { endRelaySpan } from "../../server/tracing.ts";
import type { BillableUsage } from "../billing/usage.ts";
import { type EndReason, type Frame, RealtimeBridge } from "./bridge.ts";
import { openUpstream, realtimeUpstream } from "./upstream.ts";
import { addUsage, emptyUsage } from "./usage.ts";
import { clientProtocol, realtimeKey } from "./handshake.ts";

export const REALTIME_ENDPOINT: Endpoint = {
  name: "realtime",
  path: "/v1/realtime",
  dialect: "openai_chat",
  chat: false,
  body: "json",
  prompt: "input",
};

/** New API's realtime read limit (8 MiB per event); the same bound for what may wait per direction. */
export const REALTIME_MAX_MESSAGE_BYTES = 8 << 20;

export interface RealtimeLimits {
  idleMs: number;
  maxBufferedBytes: number;
  maxMessageBytes: number;
}

interface Connected {
  socket: WebSocket;
  early: Frame[];
  channel: ChannelView;
  upstreamModel: string;
}

/** Tries channels (untried, by tier) until one's upstream accepts the socket, up to RetryTimes retries. */
async function connect(ctx: RelayCtx, tiers: ChannelView[][]): Promise<Connected> {
  const tried = new Set<number>();
  const attempts = 1 + Math.max(0, optionRegistry.int(ctx.deps.catalog, "RetryTimes"));
  const pinned = ctx.caller!.pinnedChannelId !== undefined;
  for (let i = 0; i < (pinned ? 1 : attempts); i++) {
    const channel = selectChannel(tiers, tried);
    if (!channel) break;
    tried.add(channel.id);
    ctx.session!.useChannel({ id: channel.id, setting: channel.setting });
    const picked = pickKey(channel);
    const req = picked && realtimeUpstream({
      channel,
      key: picked.key,
      model: ctx.parsed!.model,
      clientHeaders: ctx.clientHeaders,
      env: providerEnv(ctx.deps.config),
    });
    if (!req) continue;
    ctx.sentUpstream = true;
    try {
      const signal = AbortSignal.any([ctx.clientSignal, ctx.inflight.shutdown]);
      const { socket, early } = await openUpstream(req.url, req.headers, signal);
      return { socket, early, channel, upstreamModel: req.upstreamModel };
    } catch (e) {
      ctx.deps.metrics.upstreamFailure(channel.id, channel.type, 0);
      log.warn("realtime upstream connection failed", {
        requestId: ctx.requestId,
        channel: channel.id,
        error: String((e as Error)?.message ?? e),
      });
    }
  }
  throw new RelayError(502, "The upstream realtime service is not available", {
    code: "bad_response_status_code",
  });
}

const END_OF: Record<EndReason, "completed" | "client_gone" | "upstream_error" | "quota_exhausted"> = {
  client_closed: "completed",
  upstream_closed: "completed",
  upstream_error: "upstream_error",
  idle_timeout: "completed",
  buffer_overflow: "client_gone",
  message_too_large: "completed",
  insufficient_quota: "quota_exhausted",
  shutdown: "completed",
};

/** Bills and closes one session: the hold follows the running charge; the end settles the sum. */
function runSession(ctx: RelayCtx, client: WebSocket, up: Connected, limits: RealtimeLimits): RealtimeBridge {
  const session = ctx.session!;
  const margin = Math.max(session.reserved, 1);
  let total: BillableUsage = emptyUsage();
  let responses = 0;
  return new RealtimeBridge(client, up.socket, {
    ...limits,
    shutdown: ctx.inflight.shutdown,
    async onResponseDone(usage) {
      session.markFirstResponse();
      if (!usage) return true;
      total = addUsage(total, usage);
      responses++;
      const cost = session.chargeFor(total);
      await session.checkpoint(total);
      return await session.coverCost(cost, margin);
    },
    async onEnd(reason) {
      const billed = responses > 0;
      const end = billed ? END_OF[reason] : reason === "upstream_error" ? "upstream_error" : "client_gone";
      await finishRequest(ctx, {
        end,
        usage: billed ? total : undefined,
        channel: up.channel,
        upstreamModel: up.upstreamModel,
      });
    },
  }, up.early);
}

export async function handleRealtime(deps: AppDeps, c: Context, limits: RealtimeLimits): Promise<Response> {
  const ctx = newRelayContext(deps, c, {
    endpoint: REALTIME_ENDPOINT,
    authenticate: () => {
      throw new Error("unused");
    },
  });
  try {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new RelayError(400, "The realtime API is a WebSocket: connect with an Upgrade request", {
        code: "invalid_request_error",
      });
    }
    ctx.clientKey = realtimeKey(c.req.raw.headers);
    ctx.caller = authenticateKey(deps.catalog, deps.secrets.cryptoSecret, ctx.clientKey, ctx.clientIp);
    const model = c.req.query("model") ?? "";
    if (!model) {
      throw new RelayError(400, "model is required (?model=)", {
        code: "invalid_request_error",
        param: "model",
      });
    }
    checkModelName(model);
    ctx.parsed = {
      model,
      stream: true,
      includeUsage: false,
      bytes: new Uint8Array(),
      contentType: "",
      quantities: { n: 1, maxTokens: 0 },
    };
    checkModelAccess(ctx);
    await checkLimits(ctx);
    const tiers = routableTiers(ctx);
    await reserve(ctx);
    const up = await connect(ctx, tiers);
    let accepted: Deno.WebSocketUpgrade;
    try {
      accepted = Deno.upgradeWebSocket(c.req.raw, { protocol: clientProtocol(c.req.raw.headers) });
    } catch (e) {
      up.socket.close(1000);
      throw e;
    }
    runSession(ctx, accepted.socket, up, limits);
    return accepted.response;
  } catch (e) {
    await releaseHolds(ctx);
    const err = toRelayError(e);
    deps.metrics.refused({
      endpoint: "realtime",
      status: err.status,
      durationMs: performance.now() - ctx.startedAt,
    });
    endRelaySpan(ctx.span, { operation: "realtime", outcome: String(err.status), status: err.status });
    return errorResponse("openai_chat", err, ctx.requestId);
  }
}
