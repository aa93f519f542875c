/**
 * IR stream events → Gemini `?alt=sse` chunks. Calls are sent whole, so streamed arguments are held until
 * the call ends; the last chunk carries `finishReason` and the final usage. Errors are a bare
 * `{"error":{…}}` chunk, which the Gemini SDK checks every read for.
 */
import type { SseEvent } from "../../sse/event.ts";
import type { StreamEncodeOptions } from "../codec.ts";
import { type RelayError, renderStreamError } from "../errors.ts";
import type { IrFinishReason, IrStreamEvent, IrUsage } from "../ir.ts";
import { wrapReasoningSignature } from "../signature.ts";
import { toolArgumentsObject } from "../tool_args.ts";
import { irFinishToGemini } from "./finish.ts";
import { irUsageToGemini } from "./usage.ts";

interface PendingCall {
  id: string;
  name: string;
  args: string;
  /** Gemini's own thoughtSignature, replayed on the same part (§5.9). */
  signature?: string;
}

export interface GeminiEncodeState {
  opts: StreamEncodeOptions;
  id: string;
  model: string;
  usage?: IrUsage;
  finish?: IrFinishReason;
  call?: PendingCall;
  closed: boolean;
}

export function newGeminiStreamEncoder(opts: StreamEncodeOptions = {}): GeminiEncodeState {
  return { opts, id: "", model: "", closed: false };
}

function chunk(state: GeminiEncodeState, parts: unknown[], finish?: IrFinishReason): SseEvent {
  const candidate: Record<string, unknown> = { content: { role: "model", parts }, index: 0 };
  if (finish) candidate.finishReason = irFinishToGemini(finish);
  const body: Record<string, unknown> = { candidates: [candidate] };
  if (state.usage) body.usageMetadata = irUsageToGemini(state.usage);
  body.modelVersion = state.opts.model ?? state.model;
  body.responseId = state.id;
  return { data: JSON.stringify(body) };
}

function takeCall(state: GeminiEncodeState): unknown[] {
  const c = state.call;
  if (!c) return [];
  state.call = undefined;
  const part = { functionCall: { id: c.id, name: c.name, args: toolArgumentsObject(c.args) } };
  return [c.signature ? { ...part, thoughtSignature: c.signature } : part];
}

export function encodeGeminiStreamEvent(state: GeminiEncodeState, ev: IrStreamEvent): SseEvent[] {
  if (state.closed) return [];
  if (ev.type === "tool_call_delta") {
    if (state.call) state.call.args += ev.arguments;
    return [];
  }
  if (ev.type === "end") return endGeminiStream(state);
  if (ev.type === "error") return failGeminiStream(state, ev.error);
  const out: SseEvent[] = [];
  const parts = ev.type === "usage" || ev.type === "finish" ? [] : takeCall(state);
  switch (ev.type) {
    case "start":
      state.id = ev.id;
      state.model = ev.model;
      break;
    case "usage":
      state.usage = ev.usage;
      break;
    case "finish":
      state.finish = ev.reason;
      break;
    case "text":
      parts.push({ text: ev.text });
      break;
    case "reasoning":
      parts.push({ text: ev.text, thought: true });
      break;
    case "reasoning_signature":
    case "redacted_reasoning": {
      const signature = ev.type === "redacted_reasoning" ? ev.data : ev.signature;
      const id = ev.type === "reasoning_signature" ? ev.id : undefined;
      const redacted = ev.type === "redacted_reasoning";
      const thoughtSignature = wrapReasoningSignature("gemini", {
        origin: ev.origin,
        signature,
        id,
        redacted,
      });
      parts.push({ text: "", thought: true, thoughtSignature });
      break;
    }
    case "tool_call_start":
      state.call = { id: ev.id, name: ev.name, args: "" };
      if (ev.origin === "gemini" && ev.signature) state.call.signature = ev.signature;
      break;
  }
  if (parts.length) out.push(chunk(state, parts));
  return out;
}

export function endGeminiStream(state: GeminiEncodeState): SseEvent[] {
  if (state.closed) return [];
  state.closed = true;
  const parts = takeCall(state);
  const finish = state.finish ?? "stop";
  return [chunk(state, parts.length ? parts : [{ text: "" }], finish)];
}

export function failGeminiStream(state: GeminiEncodeState, err: RelayError): SseEvent[] {
  if (state.closed) return [];
  state.closed = true;
  return renderStreamError("gemini", err);
}
