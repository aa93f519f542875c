/**
 * The entry point for the relay: given the client's dialect and the channel's, the request translator and
 * the answer/stream translators. Same dialect means pass-through (the relay forwards bytes, patching only
 * the model name and `stream_options`); the stream translator then only watches usage and termination.
 */
import type { SseEvent } from "../sse/event.ts";
import { claudeCodec } from "./claude/index.ts";
import type { Codec, DecodeRequestContext, StreamEncodeOptions } from "./codec.ts";
import { type RelayError, renderStreamError, truncatedStreamError } from "./errors.ts";
import { geminiCodec } from "./gemini/index.ts";
import type { Dialect, IrFinishReason, IrRequest, IrResponse, IrStreamEvent, IrUsage } from "./ir.ts";
import { openAiChatCodec } from "./openai_chat/index.ts";
import { openAiResponsesCodec } from "./openai_responses/index.ts";
import type { ResponsesDecodeState } from "./openai_responses/stream_decode.ts";
import { isStreamFiller } from "./upstream_body.ts";
import { type WireCodec, wireCodec } from "./wire.ts";
import { newThinkingToContent, thinkingToContent, thinkingToContentResponse } from "./thinking_to_content.ts";

export const CODECS: Record<Dialect, Codec> = {
  openai_chat: openAiChatCodec,
  openai_responses: openAiResponsesCodec,
  claude: claudeCodec,
  gemini: geminiCodec,
};

export interface TranslationOptions {
  /** The channel's `thinking_to_content` (applies to OpenAI Chat clients). */
  thinkingToContent?: boolean;
  /** Decode and re-encode even between equal dialects (when the body must be rewritten, e.g. a suffix). */
  forceTranslate?: boolean;
  /** The channel speaks this wire format instead of `upstream` (always translated). */
  wire?: WireCodec;
  /** The model sent upstream, for a wire whose answers do not name it. */
  wireModel?: string;
  /** The client's codec when it is not its dialect's chat codec (legacy Completions); always translated. */
  ingressCodec?: Codec;
}

/** What the relay hooks into a stream translator. */
export interface StreamHooks {
  /** Sees every decoded upstream event before it is encoded (the relay meters delivered content here). */
  observe?: (event: IrStreamEvent) => void;
  /** Rewrites an error the upstream reported in the stream before the client sees it (no upstream text). */
  sanitizeError?: (err: RelayError) => RelayError;
}

export interface StreamTranslator {
  /** One upstream event in, the client's events out (possibly none); throws SseUndecodableError for junk. */
  push(event: SseEvent): SseEvent[];
  /** The upstream body ended: the success terminator, or an error event if the upstream was cut short. */
  end(): SseEvent[];
  /** A transport failure or timeout after the 200: the client's in-stream error form, never a clean end. */
  fail(err: RelayError): SseEvent[];
  /** Latest usage snapshot from the upstream (undefined if it sent none: estimate then). */
  readonly usage: IrUsage | undefined;
  readonly finishReason: IrFinishReason | undefined;
  /** The upstream finished properly (finish reason or terminator seen). */
  readonly completed: boolean;
  /** An error the upstream reported inside the stream. */
  readonly upstreamError: RelayError | undefined;
  /** Characters of text and reasoning and the number of tool calls seen, for usage estimation. */
  readonly outputChars: number;
  readonly toolCalls: number;
}

export interface Translation {
  readonly ingress: Dialect;
  readonly upstream: Dialect;
  /** How the upstream's usage reads (Claude-style input excludes cache). */
  readonly semantic: "openai" | "anthropic";
  /** Same dialect and nothing to rewrite: forward the request and answer bytes. */
  readonly passthrough: boolean;
  /** Client body → IR (validates; throws a 400 RelayError). */
  decodeRequest(body: unknown, ctx?: DecodeRequestContext): IrRequest;
  /** IR → upstream body. */
  encodeRequest(ir: IrRequest): Record<string, unknown>;
  /** Upstream non-stream answer → IR. */
  decodeResponse(body: unknown): IrResponse;
  /** Upstream non-stream answer → client body, with the usage to bill. */
  translateResponse(body: unknown, opts?: StreamEncodeOptions): { body: unknown; usage?: IrUsage };
  streamTranslator(opts?: StreamEncodeOptions, hooks?: StreamHooks): StreamTranslator;
}

class Watcher {
  usage?: IrUsage;
  finishReason?: IrFinishReason;
  ended = false;
  upstreamError?: RelayError;
  outputChars = 0;
  toolCalls = 0;

  see(ev: IrStreamEvent): void {
    switch (ev.type) {
      case "usage":
        this.usage = ev.usage;
        break;
      case "finish":
        this.finishReason = ev.reason;
        break;
      case "end":
        this.ended = true;
        break;
      case "error":
        this.upstreamError = ev.error;
        break;
      case "text":
      case "reasoning":
        this.outputChars += ev.text.length;
        break;
      case "tool_call_start":
        this.toolCalls++;
        break;
      case "tool_call_delta":
        this.outputChars += ev.arguments.length;
        break;
    }
  }

  get completed(): boolean {
    return this.ended || this.finishReason !== undefined;
  }
}

/** Applies the hooks to one decoded event; returns the event to encode. */
function hooked(ev: IrStreamEvent, hooks: StreamHooks): IrStreamEvent {
  const out = ev.type === "error" && hooks.sanitizeError
    ? { type: "error" as const, error: hooks.sanitizeError(ev.error) }
    : ev;
  hooks.observe?.(out);
  return out;
}

function translatedStream(
  from: Codec,
  to: Codec,
  opts: StreamEncodeOptions,
  t2c: boolean,
  hooks: StreamHooks,
): StreamTranslator {
  const decoder = from.newStreamDecoder();
  const encoder = to.newStreamEncoder(opts);
  const think = t2c ? newThinkingToContent() : undefined;
  const w = new Watcher();
  const encode = (ev: IrStreamEvent, out: SseEvent[]) => {
    if (!think) return void out.push(...to.encodeStreamEvent(encoder, ev));
    for (const e of thinkingToContent(think, ev)) out.push(...to.encodeStreamEvent(encoder, e));
  };
  return {
    push(event) {
      const out: SseEvent[] = [];
      for (const raw of from.decodeStreamEvent(decoder, event)) {
        const ev = hooked(raw, hooks);
        w.see(ev);
        encode(ev, out);
      }
      return out;
    },
    end() {
      if (!w.completed) return to.failStream(encoder, truncatedStreamError());
      const out: SseEvent[] = [];
      encode({ type: "end" }, out);
      return out;
    },
    fail: (err) => to.failStream(encoder, err),
    get usage() {
      return w.usage;
    },
    get finishReason() {
      return w.finishReason;
    },
    get completed() {
      return w.completed;
    },
    get upstreamError() {
      return w.upstreamError;
    },
    get outputChars() {
      return w.outputChars;
    },
    get toolCalls() {
      return w.toolCalls;
    },
  };
}

/** Terminators a pass-through stream still owes when the upstream finished but closed without one. */
const OWED_TERMINATOR: Partial<Record<Dialect, SseEvent>> = {
  openai_chat: { data: "[DONE]" },
  claude: { event: "message_stop", data: '{"type":"message_stop"}' },
};

function passthroughStream(codec: Codec, opts: StreamEncodeOptions, hooks: StreamHooks): StreamTranslator {
  const decoder = codec.newStreamDecoder();
  const w = new Watcher();
  let closed = false;
  const failWith = (err: RelayError) => {
    if (closed) return [];
    closed = true;
    const seq = codec.dialect === "openai_responses" ? (decoder as ResponsesDecodeState).lastSequence + 1 : 0;
    return renderStreamError(codec.dialect, err, { sequenceNumber: seq });
  };
  return {
    push(event) {
      if (closed) return [];
      // Keep-alives and a stray `[DONE]` are not forwarded (SDKs would try to parse them as events).
      if (isStreamFiller(event.data) && !(codec.dialect === "openai_chat" && event.data === "[DONE]")) {
        return [];
      }
      const evs = codec.decodeStreamEvent(decoder, event).map((ev) => hooked(ev, hooks));
      for (const ev of evs) w.see(ev);
      if (w.upstreamError && hooks.sanitizeError) {
        // The upstream's own error event may carry its text; the client gets the sanitized one instead.
        const err = w.upstreamError;
        const seq = codec.dialect === "openai_responses"
          ? (decoder as ResponsesDecodeState).lastSequence + 1
          : 0;
        closed = true;
        return renderStreamError(codec.dialect, err, { sequenceNumber: seq });
      }
      if (w.ended || w.upstreamError) closed = true;
      // Usage was forced on upstream (§5.12): hide the usage-only chunk from a client that did not ask.
      const usageOnly = evs.length > 0 && evs.every((e) => e.type === "usage");
      if (codec.dialect === "openai_chat" && usageOnly && !opts.includeUsage) return [];
      return [event];
    },
    end() {
      if (closed) return [];
      if (!w.completed) return failWith(truncatedStreamError());
      closed = true;
      const owed = OWED_TERMINATOR[codec.dialect];
      return owed ? [owed] : [];
    },
    fail: failWith,
    get usage() {
      return w.usage;
    },
    get finishReason() {
      return w.finishReason;
    },
    get completed() {
      return w.completed;
    },
    get upstreamError() {
      return w.upstreamError;
    },
    get outputChars() {
      return w.outputChars;
    },
    get toolCalls() {
      return w.toolCalls;
    },
  };
}

/** Pairs the client's dialect with the channel's. */
export function translation(ingress: Dialect, upstream: Dialect, opts: TranslationOptions = {}): Translation {
  const from = opts.wire ? wireCodec(opts.wire, upstream, opts.wireModel ?? "") : CODECS[upstream];
  const to = opts.ingressCodec ?? CODECS[ingress];
  const t2c = opts.thinkingToContent === true && ingress === "openai_chat";
  const passthrough = ingress === upstream && !t2c && !opts.forceTranslate && !opts.wire &&
    !opts.ingressCodec;
  return {
    ingress,
    upstream,
    semantic: opts.wire?.semantic ?? (upstream === "claude" ? "anthropic" : "openai"),
    passthrough,
    decodeRequest: (body, ctx) => to.decodeRequest(body, ctx),
    decodeResponse: (body) => from.decodeResponse(body),
    encodeRequest: (ir) => from.encodeRequest(ir),
    translateResponse(body, encodeOpts) {
      const ir: IrResponse = from.decodeResponse(body);
      if (passthrough) return { body, usage: ir.usage };
      return {
        body: to.encodeResponse(t2c ? thinkingToContentResponse(ir) : ir, encodeOpts),
        usage: ir.usage,
      };
    },
    streamTranslator(encodeOpts = {}, hooks = {}) {
      return passthrough
        ? passthroughStream(from, encodeOpts, hooks)
        : translatedStream(from, to, encodeOpts, t2c, hooks);
    },
  };
}

/** The translator as a TransformStream; the flush writes the terminator (or the truncation error). */
export function translatorTransform(t: StreamTranslator): TransformStream<SseEvent, SseEvent> {
  return new TransformStream({
    transform(event, controller) {
      for (const out of t.push(event)) controller.enqueue(out);
    },
    flush(controller) {
      for (const out of t.end()) controller.enqueue(out);
    },
  });
}

/**
 * Translates an upstream event stream; if reading it fails (reset, idle timeout) or an event cannot be
 * decoded, the client gets the error event of its dialect instead of a torn connection. `toError` maps
 * the failure to a RelayError.
 */
export function translateEventStream(
  source: ReadableStream<SseEvent>,
  t: StreamTranslator,
  toError: (e: unknown) => RelayError,
): ReadableStream<SseEvent> {
  const reader = source.getReader();
  return new ReadableStream<SseEvent>({
    async pull(controller) {
      for (;;) {
        let next: ReadableStreamReadResult<SseEvent>;
        try {
          next = await reader.read();
        } catch (e) {
          for (const out of t.fail(toError(e))) controller.enqueue(out);
          controller.close();
          return;
        }
        if (next.done) {
          for (const out of t.end()) controller.enqueue(out);
          controller.close();
          return;
        }
        let out: SseEvent[];
        try {
          out = t.push(next.value);
        } catch (e) {
          // An event that cannot be decoded ends the stream as a failed read does.
          await reader.cancel(e).catch(() => {});
          for (const ev of t.fail(toError(e))) controller.enqueue(ev);
          controller.close();
          return;
        }
        if (!out.length) continue;
        for (const ev of out) controller.enqueue(ev);
        return;
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
