/**
 * A streamed answer. Upstream bytes are parsed once (SSE parser), translated event by event and written
 * through a ClientSink, so memory stays bounded however long the stream runs. Until the first event for
 * the client exists nothing is sent, so an early upstream error or cut is still a retryable Failure.
 * After that the stream always ends with the dialect's terminator or its error event, never a silent
 * end. When the client leaves, the upstream is read on for up to DISCONNECT_USAGE_WAIT_MS when a final
 * usage event is expected (`billing/stream_end.ts`), otherwise closed at once; either way the request is
 * settled by the disconnect policy.
 */
import type { RelayCtx } from "./context.ts";
import { overheadMs } from "./context.ts";
import type { Attempt, AttemptOutcome } from "./attempt.ts";
import type { SseEvent } from "../sse/event.ts";
import { SseBufferLimitError, sseParserStream } from "../sse/parser.ts";
import type { IrStreamEvent } from "../formats/ir.ts";
import { RelayError } from "../formats/errors.ts";
import type { StreamTranslator } from "../formats/translate.ts";
import { UpstreamResetError, UpstreamTimeoutError } from "../http/upstream_errors.ts";
import { DISCONNECT_USAGE_WAIT_MS, type RequestEnd } from "../billing/stream_end.ts";
import { ClientGoneError, REQUEST_ID_HEADER, shuttingDown } from "./errors.ts";
import { type Failure, transportFailure, upstreamFailure } from "./failure.ts";
import { clientError } from "./sanitize.ts";
import { ClientSink } from "./client_sink.ts";
import { openAiRawStream } from "./openai_raw_stream.ts";
import { finishRequest } from "./finish.ts";
import { priceMultiplierOf } from "./answer_json.ts";
import { editTopLevel } from "./json_edit.ts";

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
  if (e instanceof UpstreamResetError) {
    return new RelayError(502, "The upstream connection broke mid-stream", {
      code: "upstream_connection_error",
    });
  }
  return new RelayError(502, "The upstream stream failed", { code: "upstream_error" });
}

/** Whether the upstream will send usage at the end (so a disconnected client is worth draining for). */
function expectsUsage(ctx: RelayCtx, a: Attempt): boolean {
  const d = a.plan.upstreamDialect;
  if (d === "claude" || d === "gemini" || d === "openai_responses") return true;
  return a.config.provider.streamOptions && (ctx.deps.config.forceStreamOption || ctx.parsed!.includeUsage);
}

/**
 * With usage forced upstream, OpenAI adds `"usage":null` to every chunk; a client that did not ask for
 * usage gets its chunks without it, as the upstream would have sent them.
 */
function hideForcedUsage(ctx: RelayCtx, a: Attempt): ((out: SseEvent[]) => SseEvent[]) | undefined {
  const passthrough = !a.plan.translation || a.plan.translation.passthrough;
  if (!passthrough || a.plan.upstreamDialect !== "openai_chat" || ctx.parsed!.includeUsage) return undefined;
  return (out) =>
    out.map((ev) =>
      ev.data.includes('"usage":null') ? { ...ev, data: editTopLevel(ev.data, { usage: undefined }) } : ev
    );
}

export async function answerStream(ctx: RelayCtx, a: Attempt): Promise<AttemptOutcome> {
  const meter = ctx.session!.meter;
  let pending: IrStreamEvent[] | null = [];
  let rawError: RelayError | undefined;
  const meterEvent = (ev: IrStreamEvent) => {
    if (ev.type === "text" || ev.type === "reasoning") meter.add(ev.text);
    else if (ev.type === "tool_call_start") meter.addToolCall();
    else if (ev.type === "tool_call_delta") meter.add(ev.arguments);
  };
  const sink = new ClientSink();
  const hooks = {
    observe: (ev: IrStreamEvent) => {
      if (pending) pending.push(ev);
      else if (!sink.gone) meterEvent(ev);
    },
    sanitizeError: (err: RelayError) => {
      rawError = err;
      return clientError(err.status, err, [a.key]);
    },
  };
  const includeUsage = ctx.parsed!.includeUsage;
  const inner: StreamTranslator = a.plan.translation
    ? a.plan.translation.streamTranslator({ includeUsage }, hooks)
    : openAiRawStream(includeUsage, hooks);
  const hide = hideForcedUsage(ctx, a);
  const t: StreamTranslator = hide
    ? Object.create(inner, { push: { value: (ev: SseEvent) => hide(inner.push(ev)) } })
    : inner;
  const type = a.res.headers.get("content-type") ?? "";
  if (!type.includes("text/event-stream")) {
    const text = await a.res.readErrorText().catch(() => "");
    a.detach();
    return {
      failure: upstreamFailure(502, text || "the upstream did not stream", a.channel.statusCodeMapping, [
        a.key,
      ]),
    };
  }
  const reader = a.res.body
    .pipeThrough(sseParserStream({ maxBufferBytes: ctx.deps.config.streamScannerMaxBufferBytes }))
    .getReader();
  const first: SseEvent[] = [];
  const peekStarted = performance.now();
  let failure: Failure | undefined;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        if (!t.completed) {
          failure = transportFailure(new UpstreamResetError("stream ended before any content", "body"), [
            a.key,
          ]);
        } else first.push(...t.end());
        break;
      }
      const out = t.push(next.value);
      if (t.upstreamError) {
        const err = rawError ?? t.upstreamError;
        failure = upstreamFailure(err.status, err, a.channel.statusCodeMapping, [a.key]);
        break;
      }
      if (out.length) {
        first.push(...out);
        break;
      }
    }
  } catch (e) {
    if (ctx.clientSignal.aborted) throw new ClientGoneError();
    if (ctx.inflight.shutdown.aborted) throw shuttingDown();
    failure = transportFailure(e, [a.key]);
  }
  ctx.upstreamMs += performance.now() - peekStarted;
  if (failure) {
    a.detach();
    await reader.cancel().catch(() => {});
    return { failure };
  }
  // Committed: the first event goes to the client, no retry from here on.
  ctx.session!.markFirstResponse();
  for (const ev of pending!) meterEvent(ev);
  pending = null;
  a.detach();
  const headers = new Headers({
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
    [REQUEST_ID_HEADER]: ctx.requestId,
    "x-newapi-overhead-ms": String(overheadMs(ctx)),
  });
  void pump(ctx, a, t, reader, sink, first);
  return { response: new Response(sink.stream, { status: 200, headers }) };
}

async function pump(
  ctx: RelayCtx,
  a: Attempt,
  t: StreamTranslator,
  reader: ReadableStreamDefaultReader<SseEvent>,
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
  try {
    await sink.writeEvents(first);
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        if (sink.gone) end = t.completed ? "completed" : "client_gone";
        else if (stopping) {
          await sink.writeEvents(t.fail(shuttingDown()));
          end = "upstream_error";
        } else {
          await sink.writeEvents(t.end());
          end = t.completed ? "completed" : "upstream_error";
        }
        break;
      }
      const out = t.push(next.value);
      if (out.length && !sink.gone) await sink.writeEvents(out);
      if (t.upstreamError) {
        end = "upstream_error";
        break;
      }
      if (Date.now() - checkpointAt > 15_000) {
        checkpointAt = Date.now();
        void ctx.session!.checkpoint({
          inputTokens: ctx.promptTokens,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          outputTokens: ctx.session!.meter.tokens,
          estimated: true,
        }).catch(() => {});
      }
    }
  } catch (e) {
    if (sink.gone) end = "client_gone";
    else {
      await sink.writeEvents(t.fail(stopping ? shuttingDown() : midStreamError(e)));
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
    usage: t.usage
      ? { ...t.usage, semantic: a.plan.upstreamDialect === "claude" ? "anthropic" : "openai" }
      : undefined,
    channel: a.channel,
    upstreamModel: a.plan.upstreamModel,
    priceMultiplier: priceMultiplierOf(ctx),
  });
  sink.close();
}
