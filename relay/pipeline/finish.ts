/**
 * The end of a request that reached an upstream: settle billing exactly once by the documented policy
 * (`billing/stream_end.ts`), then the bookkeeping around it — the token's concurrency slot and TPM, the
 * model request limit's success count, the low-quota notice — none of which may fail the request.
 */
import type { RelayCtx } from "./context.ts";
import type { RequestEnd } from "../billing/stream_end.ts";
import { type BillableUsage, promptTokensOf } from "../billing/usage.ts";
import type { ChannelView } from "../../store/cache/catalog.ts";
import { optionRegistry } from "../../options/index.ts";
import { parseUserSetting } from "../../notify/user_setting.ts";
import { log } from "../../server/logger.ts";
import { providerFor } from "../providers/registry.ts";
import type { SettleResult } from "../billing/session.ts";
import { endRelaySpan } from "../../server/tracing.ts";

export interface RequestOutcome {
  end: RequestEnd;
  /** Usage the upstream reported (any snapshot), undefined when it sent none. */
  usage?: BillableUsage;
  channel: ChannelView;
  upstreamModel: string;
  /** Extra multiplier for per-call prices (image size/quality × n). */
  priceMultiplier?: number;
  /** Built-in web search calls billed on top (alpha search). */
  webSearchCalls?: number;
}

/** The usage to bill: an incomplete stream is charged at least what the meter saw delivered. */
function billedUsage(ctx: RelayCtx, o: RequestOutcome): BillableUsage | undefined {
  if (!o.usage) return undefined;
  if (o.end === "completed") return o.usage;
  const delivered = ctx.session!.meter.tokens;
  return delivered > o.usage.outputTokens ? { ...o.usage, outputTokens: delivered } : o.usage;
}

function formatQuota(ctx: RelayCtx, quota: number): string {
  const { catalog } = ctx.deps;
  if (!optionRegistry.bool(catalog, "DisplayInCurrencyEnabled")) return `${quota} tokens`;
  const perUnit = optionRegistry.float(catalog, "QuotaPerUnit") || 500_000;
  return `$${(quota / perUnit).toFixed(2)}`;
}

/** Frees the token's slot and charges its TPM with what the answer used, in one KV write. */
async function releaseGate(ctx: RelayCtx, usage: BillableUsage | undefined): Promise<void> {
  const token = ctx.caller?.token;
  const total = usage
    ? promptTokensOf(usage) + usage.outputTokens
    : (ctx.session?.promptTokens ?? ctx.promptTokens) + (ctx.session?.meter.tokens ?? 0);
  const tokens = token && token.tpmLimit > 0 && total > 0 ? total : 0;
  if (ctx.gate) await ctx.gate.release({ tokens });
  else if (token && tokens > 0) await ctx.deps.limiters.token.recordTokens(token.id, tokens);
}

async function afterSettle(ctx: RelayCtx, charged: number): Promise<void> {
  const { deps, caller } = ctx;
  if (ctx.modelLimit && caller) await deps.limiters.model.recordSuccess(caller.user.id, ctx.modelLimit);
  if (charged > 0 && caller) {
    const user = deps.catalog.user(caller.user.id);
    if (!user) return;
    const base = optionRegistry.string(deps.catalog, "ServerAddress").replace(/\/+$/, "");
    await deps.notifier.notifyQuotaIfLow(
      { userId: user.id, email: user.email || undefined, setting: parseUserSetting(user.setting) },
      {
        before: user.quota + charged,
        charged,
        siteThreshold: optionRegistry.int(deps.catalog, "QuotaRemindThreshold"),
        remaining: formatQuota(ctx, user.quota),
        topUpLink: `${base}/console/topup`,
      },
    );
  }
}

async function settle(
  ctx: RelayCtx,
  o: RequestOutcome,
  usage: BillableUsage | undefined,
): Promise<SettleResult | undefined> {
  try {
    return await ctx.session!.settleAtEnd({ end: o.end, upstreamUsage: usage }, {
      channel: { id: o.channel.id, setting: o.channel.setting },
      upstreamModel: o.upstreamModel !== ctx.parsed?.model ? o.upstreamModel : undefined,
      priceMultiplier: o.priceMultiplier,
      webSearchCalls: o.webSearchCalls,
    });
  } catch (err) {
    log.error("settlement failed; the sweeper will resolve the hold", {
      requestId: ctx.requestId,
      error: String(err),
    });
    return undefined;
  }
}

/** The served request's metrics, from what its consume row records. */
function observe(ctx: RelayCtx, o: RequestOutcome, result: SettleResult | undefined): void {
  const served = {
    endpoint: ctx.endpoint.name,
    model: ctx.parsed?.model ?? "",
    provider: providerFor(o.channel.type)?.name ?? String(o.channel.type),
    stream: ctx.parsed?.stream ?? false,
    end: o.end,
    durationMs: performance.now() - ctx.startedAt,
    firstResponseMs: ctx.session?.firstResponseMs,
    inputTokens: result?.promptTokens ?? 0,
    outputTokens: result?.completionTokens ?? 0,
    quota: result?.charged ?? 0,
  };
  ctx.deps.metrics.served(served);
  endRelaySpan(ctx.span, { ...served, operation: served.endpoint, outcome: o.end, channelId: o.channel.id });
}

/**
 * Settles (or releases) and frees the token's slot, side by side (store and KV); the answer waits for
 * both, so a client that got it sees its balance moved and may send the next request at once. The model
 * limit's success count and the low-quota notice follow in the background, still counted as in flight so
 * a shutdown waits for them. Never throws.
 */
export async function finishRequest(ctx: RelayCtx, o: RequestOutcome): Promise<void> {
  const usage = billedUsage(ctx, o);
  const [result] = await Promise.all([
    settle(ctx, o, usage),
    releaseGate(ctx, usage).catch((err) =>
      log.warn("releasing the token's limits failed", { requestId: ctx.requestId, error: String(err) })
    ),
  ]);
  const charged = result?.charged ?? 0;
  observe(ctx, o, result);
  afterSettle(ctx, charged)
    .catch((err) =>
      log.warn("post-settlement bookkeeping failed", { requestId: ctx.requestId, error: String(err) })
    )
    .finally(() => ctx.inflight.end());
}
