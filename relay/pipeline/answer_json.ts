/**
 * A non-stream answer: the upstream body is read whole (capped), translated to the client's dialect when
 * the dialects differ (same dialect: the upstream's bytes are sent as they are), usage is taken from it
 * (or the completion counted locally when it has none), the request is settled, then answered with the
 * request id and the gateway's own time (`X-NewAPI-Overhead-Ms`).
 */
import type { RelayCtx } from "./context.ts";
import { overheadMs } from "./context.ts";
import type { Attempt, AttemptOutcome } from "./attempt.ts";
import { RelayError } from "../formats/errors.ts";
import { rerankAnswer } from "../formats/rerank.ts";
import type { IrResponse } from "../formats/ir.ts";
import { type BillableUsage, fromOpenAiUsage } from "../billing/usage.ts";
import { imagePriceMultiplier } from "../billing/image_price.ts";
import { ClientGoneError, requestIdHeaders } from "./errors.ts";
import { transportFailure, upstreamFailure } from "./failure.ts";
import { finishRequest } from "./finish.ts";

const decoder = new TextDecoder();

/** Largest upstream answer read whole (base64 images and audio included). */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

function badBody(): RelayError {
  return new RelayError(502, "The upstream answered with an unreadable body", { code: "bad_response_body" });
}

function meterResponse(ctx: RelayCtx, ir: IrResponse): void {
  const meter = ctx.session!.meter;
  for (const p of ir.content) {
    if (p.type === "text" || p.type === "reasoning") meter.add(p.text);
    else if (p.type === "tool_call") {
      meter.addToolCall();
      meter.add(p.arguments);
    }
  }
}

/** Usage of a pass-through OpenAI answer (embeddings, rerank's `total_tokens`, images...). */
function rawUsage(json: Record<string, unknown>): BillableUsage | undefined {
  const u = json.usage as Record<string, unknown> | undefined;
  if (!u || typeof u !== "object") return undefined;
  const usage = fromOpenAiUsage(u);
  if (usage.inputTokens + usage.outputTokens === 0 && typeof u.total_tokens === "number") {
    usage.inputTokens = Math.max(0, Math.floor(u.total_tokens));
  }
  return usage;
}

export function priceMultiplierOf(ctx: RelayCtx): number | undefined {
  const ep = ctx.endpoint.name;
  if (ep !== "images_generations" && ep !== "images_edits" && ep !== "images_variations") return undefined;
  const q = ctx.parsed!.quantities;
  return imagePriceMultiplier(ctx.parsed!.model, q.size, q.quality) * q.n;
}

export async function answerJson(ctx: RelayCtx, a: Attempt): Promise<AttemptOutcome> {
  ctx.session!.markFirstResponse();
  const started = performance.now();
  let bytes: Uint8Array;
  try {
    bytes = await a.res.bytes(MAX_ANSWER_BYTES);
  } catch (e) {
    if (ctx.clientSignal.aborted) throw new ClientGoneError();
    return { failure: transportFailure(e, a.audience) };
  } finally {
    ctx.upstreamMs += performance.now() - started;
    a.detach();
  }
  const contentType = a.res.headers.get("content-type") ?? "application/json";
  let out: Uint8Array | string = bytes;
  let usage: BillableUsage | undefined;
  let priceMultiplier = priceMultiplierOf(ctx);
  const t = a.plan.translation;
  const isJson = contentType.includes("json");
  if (t || isJson) {
    let json: unknown;
    try {
      // A stream-only wire reads the whole stream's text itself.
      json = a.config.provider.wire?.streamOnly ? decoder.decode(bytes) : JSON.parse(decoder.decode(bytes));
    } catch {
      throw badBody();
    }
    if (t) {
      let translated;
      try {
        translated = t.translateResponse(json);
      } catch (e) {
        if (e instanceof RelayError && e.code !== "bad_response_body") {
          return { failure: upstreamFailure(e.status, e, a.channel.statusCodeMapping, a.audience) };
        }
        throw badBody();
      }
      if (!t.passthrough) out = JSON.stringify(translated.body);
      if (translated.usage) {
        usage = { ...translated.usage, semantic: t.semantic };
      } else meterResponse(ctx, t.decodeResponse(json));
    } else if (json && typeof json === "object" && !Array.isArray(json)) {
      const obj = json as Record<string, unknown>;
      if (obj.error && typeof obj.error === "object") {
        return {
          failure: upstreamFailure(500, JSON.stringify(obj), a.channel.statusCodeMapping, a.audience),
        };
      }
      usage = rawUsage(obj);
      if (ctx.endpoint.name === "rerank") {
        // The same exact count billing settles an unreported prompt at (session.promptTokens).
        const r = rerankAnswer(obj, () => ctx.session?.promptTokens ?? ctx.promptTokens);
        usage ??= r.usage;
        if (r.body) out = JSON.stringify(r.body);
      }
      if (a.plan.convertResponse) {
        try {
          const converted = a.plan.convertResponse(obj, () => ctx.session?.promptTokens ?? ctx.promptTokens);
          out = JSON.stringify(converted.body);
          usage ??= converted.usage;
          if (converted.images !== undefined) {
            // Ratio billing counts the images in the usage; a per-call price is charged per image returned.
            priceMultiplier = ctx.session!.price.usePrice ? converted.images : 1;
          }
        } catch (e) {
          const err = e instanceof RelayError ? e : badBody();
          return { failure: upstreamFailure(502, err, a.channel.statusCodeMapping, a.audience) };
        }
      }
    }
  }
  if (ctx.endpoint.name === "alpha_search") {
    // No usage upstream: New API bills the model at zero tokens plus one web_search_preview call.
    usage = { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0 };
  }
  await finishRequest(ctx, {
    end: "completed",
    usage,
    channel: a.channel,
    upstreamModel: a.plan.upstreamModel,
    priceMultiplier,
    webSearchCalls: ctx.endpoint.name === "alpha_search" ? 1 : undefined,
  });
  const rewritten = (t && !t.passthrough) || a.plan.convertResponse;
  const headers = new Headers({
    "content-type": rewritten ? "application/json" : contentType,
    ...requestIdHeaders(ctx.dialect, ctx.requestId),
    "x-newapi-overhead-ms": String(overheadMs(ctx)),
  });
  return { response: new Response(out as BodyInit, { status: a.res.status, headers }) };
}
