/**
 * A streamed answer, up to its commit. Upstream bytes are parsed once (SSE parser) and translated event by
 * event; until the first event for the client exists nothing is sent, so an early upstream error or cut
 * is still a retryable Failure. Then the response starts and `stream_pump.ts` carries the rest, always
 * ending with the dialect's terminator or its error event, never a silent end.
 */
import type { RelayCtx } from "./context.ts";
import { overheadMs } from "./context.ts";
import type { Attempt, AttemptOutcome } from "./attempt.ts";
import type { SseEvent } from "../sse/event.ts";
import { SseEventReader } from "../sse/event_reader.ts";
import type { IrStreamEvent } from "../formats/ir.ts";
import { RelayError } from "../formats/errors.ts";
import type { WireCodec } from "../formats/wire.ts";
import type { StreamTranslator } from "../formats/translate.ts";
import { UpstreamResetError } from "../http/upstream_errors.ts";
import { ClientGoneError, requestIdHeaders, shuttingDown } from "./errors.ts";
import { type Failure, transportFailure, upstreamFailure } from "./failure.ts";
import { clientError } from "./sanitize.ts";
import { ClientSink } from "./client_sink.ts";
import { openAiRawStream } from "./openai_raw_stream.ts";
import { filtered, hideForcedUsage } from "./client_view.ts";
import { pump } from "./stream_pump.ts";
import { releaseRequestBody } from "./parse_request.ts";

/** The error a wire reads in a non-stream body that came instead of the stream, if it reads one. */
function wireError(wire: WireCodec, text: string, model: string): RelayError | undefined {
  try {
    wire.decodeResponse(wire.streamOnly ? text : JSON.parse(text), model);
  } catch (e) {
    if (e instanceof RelayError && e.code !== "bad_response_body") return e;
  }
  return undefined;
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
  const sink = new ClientSink(ctx.framing);
  const hooks = {
    observe: (ev: IrStreamEvent) => {
      if (pending) pending.push(ev);
      else if (!sink.gone) meterEvent(ev);
    },
    sanitizeError: (err: RelayError) => {
      rawError = err;
      return clientError(err.status, err, a.audience);
    },
  };
  const includeUsage = ctx.parsed!.includeUsage;
  const inner: StreamTranslator = a.plan.translation
    ? a.plan.translation.streamTranslator({ includeUsage }, hooks)
    : openAiRawStream(includeUsage, hooks);
  const hide = hideForcedUsage(ctx, a);
  const t: StreamTranslator = hide ? filtered(inner, hide) : inner;
  const type = a.res.headers.get("content-type") ?? "";
  const wire = a.config.provider.wire;
  if (!type.includes(wire?.streamContentType ?? "text/event-stream")) {
    const text = await a.res.readErrorText().catch(() => "");
    a.detach();
    // A wire whose errors come as a 200 JSON body (Tencent, Baidu, Coze) says what the error was.
    const err = wire ? wireError(wire, text, a.plan.upstreamModel) : undefined;
    return {
      failure: err
        ? upstreamFailure(err.status, err, a.channel.statusCodeMapping, a.audience)
        : upstreamFailure(
          502,
          text || "the upstream did not stream",
          a.channel.statusCodeMapping,
          a.audience,
        ),
    };
  }
  const maxBufferBytes = ctx.deps.config.streamScannerMaxBufferBytes;
  const reader = new SseEventReader(
    a.res.body,
    { maxBufferBytes, rejectUnknownLines: true },
    wire?.newStreamParser?.({ maxBufferBytes }),
  );
  const first: SseEvent[] = [];
  const peekStarted = performance.now();
  let failure: Failure | undefined;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        if (!t.completed) {
          failure = transportFailure(
            new UpstreamResetError("stream ended before any content", "body"),
            a.audience,
          );
        } else first.push(...t.end());
        break;
      }
      const out = t.push(next.value);
      if (t.upstreamError) {
        const err = rawError ?? t.upstreamError;
        failure = upstreamFailure(err.status, err, a.channel.statusCodeMapping, a.audience);
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
    failure = transportFailure(e, a.audience);
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
  // No retry can need the request again; the upstream client keeps its own copy until the call ends.
  releaseRequestBody(ctx.parsed!);
  a.plan.body = "";
  const headers = new Headers({
    "content-type": ctx.framing === "sse" ? "text/event-stream; charset=utf-8" : "application/json",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
    ...requestIdHeaders(ctx.dialect, ctx.requestId),
    "x-newapi-overhead-ms": String(overheadMs(ctx)),
  });
  void pump(ctx, a, t, reader, sink, first);
  return { response: new Response(sink.stream, { status: 200, headers }) };
}
