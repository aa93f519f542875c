/**
 * Gemini `?alt=sse` chunks → IR stream events. Each chunk carries only new parts; a call arrives whole
 * (one start plus one arguments delta); usageMetadata is a running snapshot. There is no terminator: the
 * chunk with `finishReason` marks a complete answer (§4.4).
 */
import type { SseEvent } from "../../sse/event.ts";
import { errorFromStreamPayload } from "../errors.ts";
import type { IrStreamEvent } from "../ir.ts";
import { arr, type JsonObject, obj, str, streamEventObject } from "../upstream_body.ts";
import { geminiFinishToIr } from "./finish.ts";
import { decodeOutputPart } from "./response.ts";
import { geminiUsageToIr } from "./usage.ts";

export interface GeminiDecodeState {
  started: boolean;
  responseId: string;
  calls: number;
}

export function newGeminiStreamDecoder(): GeminiDecodeState {
  return { started: false, responseId: "", calls: 0 };
}

function readParts(state: GeminiDecodeState, parts: unknown[], out: IrStreamEvent[]): void {
  for (const raw of parts) {
    const p = obj(raw);
    if (!p) continue;
    const part = decodeOutputPart(p, state.responseId, state.calls);
    if (part?.type === "tool_call") {
      const index = state.calls++;
      const { id, name, signature, origin } = part;
      out.push({ type: "tool_call_start", index, id, name, ...(signature ? { signature, origin } : {}) });
      out.push({ type: "tool_call_delta", index, arguments: part.arguments });
    } else if (part?.type === "reasoning") {
      if (part.text) out.push({ type: "reasoning", text: part.text });
      if (part.signature) {
        out.push({ type: "reasoning_signature", signature: part.signature, origin: "gemini" });
      }
    } else if (part?.type === "text") {
      out.push({ type: "text", text: part.text });
    }
    // A signature on a plain (often empty) text part is optional to replay and has no slot elsewhere.
  }
}

export function decodeGeminiStreamEvent(state: GeminiDecodeState, event: SseEvent): IrStreamEvent[] {
  const out: IrStreamEvent[] = [];
  const chunk: JsonObject | undefined = streamEventObject(event.data);
  if (!chunk) return out;
  if (chunk.error && typeof chunk.error === "object") {
    out.push({ type: "error", error: errorFromStreamPayload(chunk) });
    return out;
  }
  if (!state.started) {
    state.started = true;
    state.responseId = str(chunk.responseId) ?? "";
    out.push({ type: "start", id: state.responseId, model: str(chunk.modelVersion) ?? "" });
  }
  // Usage first, so a Claude encoder can put the prompt count in message_start.
  const usage = obj(chunk.usageMetadata);
  if (usage) out.push({ type: "usage", usage: geminiUsageToIr(usage) });
  const candidate = obj(arr(chunk.candidates)[0]);
  readParts(state, arr(obj(candidate?.content)?.parts), out);
  const finish = candidate?.finishReason;
  if (typeof finish === "string" && finish) out.push({ type: "finish", reason: geminiFinishToIr(finish) });
  else if (!candidate && obj(chunk.promptFeedback)?.blockReason) {
    out.push({ type: "finish", reason: "content_filter" });
  }
  return out;
}
