/**
 * The rest of a committed stream: reads the upstream event by event, writes the client's events through the
 * ClientSink, and decides how it ends. A client that leaves is handled at once: the upstream is read on for
 * up to DISCONNECT_USAGE_WAIT_MS when a final usage event is expected (at most MAX_DRAINS at a time), else
 * closed; a shutdown at the drain deadline ends the stream with an error event. Then the request is settled
 * (before the body closes) by the policy in `billing/stream_end.ts`. While it streams, the running cost
 * of what was delivered keeps the hold covered (`BillingSession.coverDelivered`, extending it against the
 * wallet); when the wallet cannot cover it the stream ends with an `insufficient_user_quota` error event
 * and is charged what was delivered. A line or event the upstream sent that cannot be decoded ends the
 * stream with an error event too (logged for admins, redacted), charged as any broken stream.
 */
import type { RelayCtx } from "./context.ts";
import type { Attempt } from "./attempt.ts";
import type { SseEvent } from "../sse/event.ts";
import { SseBufferLimitError, SseUndecodableError } from "../sse/parser.ts";
import type { SseEventReader } from "../sse/event_reader.ts";
import { RelayError, undecodableStreamError } from "../formats/errors.ts";
import type { StreamTranslator } from "../formats/translate.ts";
import { UpstreamResetError, UpstreamTimeoutError } from "../http/upstream_errors.ts";
import { DISCONNECT_USAGE_WAIT_MS, type RequestEnd } from "../billing/stream_end.ts";
import { shuttingDown } from "./errors.ts";
import type { ClientSink } from "./client_sink.ts";
import { finishRequest } from "./finish.ts";
import { priceMultiplierOf } from "./answer_json.ts";
import { log } from "../../server/logger.ts";
import { logUpstreamFailure } from "./error_log.ts";
import { redactSecrets } from "./redact_secrets.ts";

/** Streams at most this many disconnected clients' upstreams at once for their final usage. */
const MAX_DRAINS = 256;
let drains = 0;

function midStreamError(e: unknown): RelayError {
  if (e instanceof UpstreamTimeoutError) {
    return new RelayError(504, "The upstream stopped sending data (stream idle timeout)", {
      code: "upstream_timeout",
    });
  }
  if (e instanceof SseBufferLimitError) {
    return new RelayError(502, "The upstream sent an event larger than the stream buffer limit", {
      code: "bad_response_body",
    });
  }
  if (e instanceof SseUndecodableError) return undecodableStreamError();
  if (e instanceof UpstreamResetError) {
    return new RelayError(502, "The upstream connection broke mid-stream", {
      code: "upstream_connection_error",
    });
  }
  return new RelayError(502, "The upstream stream failed", { code: "upstream_error" });
}

function quotaCut(cost: number): RelayError {
  return new RelayError(
    403,
    `insufficient user quota: the answer so far costs ${cost} quota, more than the user has left; the ` +
      "stream was stopped",
    { code: "insufficient_user_quota" },
  );
}

/** Whether the upstream will send usage at the end (so a disconnected client is worth draining for). */
function expectsUsage(ctx: RelayCtx, a: Attempt): boolean {
  const d = a.plan.upstreamDialect;
  if (a.config.provider.wire || d === "claude" || d === "gemini" || d === "openai_responses") return true;
  return a.config.provider.streamOptions && (ctx.deps.config.forceStreamOption || ctx.parsed!.includeUsage);
}

export async function pump(
  ctx: RelayCtx,
  a: Attempt,
  t: StreamTranslator,
  reader: SseEventReader,
  sink: ClientSink,
  first: SseEvent[],
): Promise<void> {
  let finished = false;
  let stopping = false;
  let draining = false;
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  const cut = () => void reader.cancel().catch(() => {});
  sink.onGone = () => {
    if (finished) return;
    if (!t.completed && expectsUsage(ctx, a) && drains < MAX_DRAINS) {
      draining = true;
      drains++;
      drainTimer = setTimeout(cut, DISCONNECT_USAGE_WAIT_MS);
    } else cut();
  };
  const onClientAbort = () => sink.markGone();
  const onShutdown = () => {
    stopping = true;
    cut();
  };
  ctx.clientSignal.addEventListener("abort", onClientAbort, { once: true });
  ctx.inflight.shutdown.addEventListener("abort", onShutdown, { once: true });
  if (ctx.clientSignal.aborted) sink.markGone();
  let end: RequestEnd = "completed";
  let checkpointAt = Date.now();
  /**
   * The client's events not written yet: the events of one upstream chunk are translated one by one and
   * written together (one encode, one enqueue, one socket write), since they arrived together.
   */
  let unwritten: SseEvent[] = [];
  /** Writes the unwritten events, then `last` (a terminator or an error event). */
  const write = async (last?: SseEvent[]) => {
    let events = last;
    if (unwritten.length) {
      events = last ? unwritten.concat(last) : unwritten;
      unwritten = [];
    }
    if (events && !sink.gone) await sink.writeEvents(events);
  };
  /** After content was translated: false (and the stream ended with its error) when the wallet is short. */
  const covered = async (): Promise<boolean> => {
    if (sink.gone) return true;
    const short = await ctx.session!.coverDelivered().catch((err) => {
      // The settlement still charges everything delivered; only the early cut is lost.
      log.warn("extending a stream's hold failed", { requestId: ctx.requestId, error: String(err) });
      return undefined;
    });
    if (!short) return true;
    await write(t.fail(quotaCut(short.cost)));
    end = "quota_exhausted";
    return false;
  };
  try {
    await sink.writeEvents(first);
    // Each pass first checks that the wallet covers what was translated so far.
    // The check is awaited only when one is due (most events need none: no promise, no microtask).
    while (sink.gone || !ctx.session!.coverDue || await covered()) {
      const ready = reader.take();
      if (ready === undefined && unwritten.length) await write();
      const next = ready !== undefined ? { done: false as const, value: ready } : await reader.read();
      if (next.done) {
        if (sink.gone) end = t.completed ? "completed" : "client_gone";
        else if (stopping) {
          await write(t.fail(shuttingDown()));
          end = "upstream_error";
        } else {
          await write(t.end());
          end = t.completed ? "completed" : "upstream_error";
        }
        break;
      }
      const out = t.push(next.value);
      if (out.length && !sink.gone) unwritten.push(...out);
      if (t.upstreamError) {
        await write();
        end = "upstream_error";
        break;
      }
      if (Date.now() - checkpointAt > 15_000) {
        checkpointAt = Date.now();
        void ctx.session!.checkpoint({
          inputTokens: ctx.session!.promptTokens,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          outputTokens: ctx.session!.meter.tokens,
          estimated: true,
        }).catch(() => {});
      }
    }
  } catch (e) {
    const failed = stopping ? shuttingDown() : midStreamError(e);
    if (e instanceof SseUndecodableError) {
      // The client gets a generic error event; the admin gets what the upstream sent, redacted.
      const detail = redactSecrets(e.message, a.audience.secrets).slice(0, 1000);
      logUpstreamFailure(ctx, a.channel.id, detail, failed.message);
    }
    if (sink.gone) end = "client_gone";
    else {
      await write(t.fail(failed));
      end = "upstream_error";
    }
  } finally {
    finished = true;
    if (draining) drains--;
    clearTimeout(drainTimer);
    ctx.clientSignal.removeEventListener("abort", onClientAbort);
    ctx.inflight.shutdown.removeEventListener("abort", onShutdown);
    cut();
  }
  // Settled before the body ends, so a client that saw the end of the stream sees its balance moved.
  await finishRequest(ctx, {
    end,
    usage: t.usage ? { ...t.usage, semantic: a.plan.translation?.semantic ?? "openai" } : undefined,
    channel: a.channel,
    upstreamModel: a.plan.upstreamModel,
    priceMultiplier: priceMultiplierOf(ctx),
  });
  sink.close();
}
