/**
 * The steps between authentication and the first attempt: the token's model allow-list, New API's model
 * request limit and the token's RPM/TPM/concurrency gate (429 with Retry-After, nothing taken when
 * refused), the channels that can serve the model in the caller's group, and the reservation.
 */
import type { RelayCtx } from "./context.ts";
import type { ChannelView } from "../../store/cache/catalog.ts";
import { ChannelStatus } from "../../store/channels.ts";
import { RelayError } from "../formats/errors.ts";
import {
  type ModelRequestAnswer,
  type ModelRequestRateLimitSetting,
  parseModelRequestRateLimit,
  resolveModelRequestLimit,
} from "../../kv/limits/model_request_limit.ts";
import { estimateTokensFromBytes } from "../billing/estimate.ts";
import { imagePriceMultiplier } from "../billing/image_price.ts";
import { optionRegistry } from "../../options/index.ts";
import { log } from "../../server/logger.ts";
import { servesEndpoint } from "../providers/spec.ts";
import { channelConfig, enabledKeys } from "./channel_config.ts";
import { forbidden, RateLimitedError } from "./errors.ts";
import { estimatePrompt } from "./prompt_estimate.ts";
import { modelCandidates } from "../routing/model_candidates.ts";

export function checkModelAccess(ctx: RelayCtx): void {
  const limits = ctx.caller!.token?.modelLimitSet;
  const model = ctx.parsed!.model;
  if (limits && !modelCandidates(model).some((m) => limits.has(m))) {
    throw forbidden(`This token has no access to model ${model}`, "model_not_allowed");
  }
}

const LIMIT_KEYS = [
  "ModelRequestRateLimitEnabled",
  "ModelRequestRateLimitDurationMinutes",
  "ModelRequestRateLimitCount",
  "ModelRequestRateLimitSuccessCount",
  "ModelRequestRateLimitGroup",
];

// The setting parsed from the last option values seen: parsing (JSON and zod) once per change, not per request.
let lastLimitValues = "";
let lastLimitSetting: ModelRequestRateLimitSetting | undefined;

function modelRequestRateLimit(catalog: RelayCtx["deps"]["catalog"]): ModelRequestRateLimitSetting {
  const values = LIMIT_KEYS.map((k) => optionRegistry.string(catalog, k));
  const joined = values.join("\u0000");
  if (lastLimitSetting && joined === lastLimitValues) return lastLimitSetting;
  lastLimitSetting = parseModelRequestRateLimit(Object.fromEntries(LIMIT_KEYS.map((k, i) => [k, values[i]])));
  lastLimitValues = joined;
  return lastLimitSetting;
}

/** Also run by the async-task routes (relay/tasks/task_relay.ts), which have no full relay context. */
export async function checkLimits(
  ctx: Pick<RelayCtx, "deps" | "caller" | "modelLimit" | "gate">,
): Promise<void> {
  const { deps } = ctx;
  const caller = ctx.caller!;
  const limit = resolveModelRequestLimit(
    modelRequestRateLimit(deps.catalog),
    caller.token?.group,
    caller.user.group,
  );
  if (limit) {
    const answer = await deps.limiters.model.check(caller.user.id, limit).catch((err): ModelRequestAnswer => {
      log.error("model request limit unavailable; request allowed", { error: String(err) });
      return { ok: true, retryAfterSeconds: 0 };
    });
    if (!answer.ok) {
      throw new RateLimitedError(answer.message ?? "Too many requests", answer.retryAfterSeconds);
    }
    ctx.modelLimit = limit;
  }
  const token = caller.token;
  if (!token) return;
  const gate = await deps.limiters.token.checkRequest({
    tokenId: token.id,
    rpm: token.rpmLimit,
    tpm: token.tpmLimit,
    concurrency: token.concurrencyLimit,
  }).catch((err) => {
    log.error("token rate limit unavailable; request allowed", { error: String(err) });
    return undefined;
  });
  if (gate && !gate.ok) {
    throw new RateLimitedError(gate.message ?? "Too many requests", gate.retryAfterSeconds);
  }
  ctx.gate = gate;
}

function eligible(ctx: RelayCtx, ch: ChannelView): boolean {
  const config = channelConfig(ch);
  if (!config) return false;
  if (!servesEndpoint(config.provider, ctx.endpoint)) return false;
  return ch.info.isMultiKey ? enabledKeys(ch).length > 0 : ch.keys.length > 0;
}

/** The channels that may serve this request, as priority tiers; 404/503 when there are none. */
export function routableTiers(ctx: RelayCtx): ChannelView[][] {
  const { catalog } = ctx.deps;
  const caller = ctx.caller!;
  const model = ctx.parsed!.model;
  if (caller.pinnedChannelId !== undefined) {
    const ch = catalog.channel(caller.pinnedChannelId);
    if (!ch) {
      throw new RelayError(404, `Channel #${caller.pinnedChannelId} does not exist`, {
        code: "channel_not_found",
      });
    }
    if (ch.status !== ChannelStatus.enabled) {
      throw forbidden(`Channel #${ch.id} is disabled`, "channel_disabled");
    }
    if (!eligible(ctx, ch)) {
      throw new RelayError(400, `Channel #${ch.id} cannot serve this endpoint`, {
        code: "channel_unsupported",
      });
    }
    return [[ch]];
  }
  const candidates = modelCandidates(model);
  const tiersOf = (g: string) => {
    for (const name of candidates) {
      const tiers = catalog.tiers(g, name).map((tier) => tier.filter((ch) => eligible(ctx, ch)))
        .filter((tier) => tier.length > 0);
      if (tiers.length > 0) return tiers;
    }
    return [];
  };
  if (caller.autoGroups?.length === 0) {
    throw new RelayError(
      503,
      `No available channel for model ${model} under group auto: auto groups is not enabled`,
      {
        code: "model_not_found",
      },
    );
  }
  if (caller.autoGroups) {
    // "auto": the first group that serves the model routes (and prices) the request; cross-group retry
    // may move on to the others (retry_loop.ts).
    const serving = caller.autoGroups.map((g) => ({ group: g, tiers: tiersOf(g) })).filter((g) =>
      g.tiers.length
    );
    if (serving.length > 0) {
      caller.usingGroup = serving[0].group;
      if (caller.token?.crossGroupRetry) ctx.nextGroups = serving.slice(1);
      return serving[0].tiers;
    }
  }
  const group = caller.usingGroup;
  const tiers = tiersOf(group);
  if (tiers.length > 0) return tiers;
  for (const ch of catalog.channels()) {
    if (ch.groups.includes(group) && candidates.some((m) => ch.modelList.includes(m))) {
      throw new RelayError(503, `No available channel for model ${model} under group ${group}`, {
        code: "model_not_found",
      });
    }
  }
  throw new RelayError(404, `The model \`${model}\` does not exist or you do not have access to it.`, {
    code: "model_not_found",
    param: "model",
  });
}

/** Estimates the prompt and reserves the worst case (typed billing errors: 400 unpriced, 403 quota). */
export async function reserve(ctx: RelayCtx): Promise<void> {
  const { deps } = ctx;
  const parsed = ctx.parsed!;
  const caller = ctx.caller!;
  // The hold takes an estimate from the prompt's bytes; the exact count is made by the session only if
  // billing needs it (no usage from the upstream), off the answer's path otherwise.
  const counting = optionRegistry.bool(deps.catalog, "CountToken");
  const zero = () => 0;
  const endpoint = ctx.endpoint;
  // GET_MEDIA_TOKEN / GET_MEDIA_TOKEN_NOT_STREAM: images measured by New API's rule.
  const media = { getMediaToken: deps.config.getMediaToken, notStream: deps.config.getMediaTokenNotStream };
  ctx.promptTokens = estimatePrompt(counting ? estimateTokensFromBytes : zero, endpoint, parsed, media);
  const q = parsed.quantities;
  const image = ctx.endpoint.prompt === "image";
  ctx.session = await deps.billing.begin({
    requestId: ctx.requestId,
    user: caller.user,
    token: caller.token
      ? { id: caller.token.id, name: caller.token.name, unlimitedQuota: caller.token.unlimitedQuota }
      : null,
    model: parsed.model,
    usingGroup: caller.usingGroup,
    promptTokens: ctx.promptTokens,
    exactPromptTokens: (count) => estimatePrompt(counting ? count : zero, endpoint, parsed, media),
    maxTokens: q.maxTokens,
    n: q.n,
    priceMultiplier: image ? imagePriceMultiplier(parsed.model, q.size, q.quality) : undefined,
    isStream: parsed.stream,
    clientIp: ctx.clientIp,
    requestPath: ctx.path,
  });
}
