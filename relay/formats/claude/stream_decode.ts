/**
 * Anthropic SSE → IR stream events. Tool input arrives as `partial_json` per block index after a placeholder
 * `input:{}` that is never forwarded (§5.6); usage is merged field by field, never summed (§3.5e).
 */
import type { SseEvent } from "../../sse/event.ts";
import { errorFromStreamPayload } from "../errors.ts";
import type { IrStreamEvent } from "../ir.ts";
import { type JsonObject, num, obj, str, streamEventObject } from "../upstream_body.ts";
import { claudeStopToIr } from "./finish.ts";
import { claudeUsageToIr, mergeClaudeUsage } from "./usage.ts";

export interface ClaudeDecodeState {
  usage: JsonObject;
  /** Block index → IR call index, for tool_use blocks. */
  calls: Map<number, number>;
  nextCall: number;
}

export function newClaudeStreamDecoder(): ClaudeDecodeState {
  return { usage: {}, calls: new Map(), nextCall: 0 };
}

function blockStart(state: ClaudeDecodeState, data: JsonObject, out: IrStreamEvent[]): void {
  const block = obj(data.content_block);
  const index = num(data.index) ?? 0;
  switch (block?.type) {
    case "text": {
      const text = str(block.text);
      if (text) out.push({ type: "text", text });
      break;
    }
    case "thinking": {
      const text = str(block.thinking);
      if (text) out.push({ type: "reasoning", text });
      break;
    }
    case "redacted_thinking":
      out.push({ type: "redacted_reasoning", data: str(block.data) ?? "", origin: "claude" });
      break;
    case "tool_use": {
      const call = state.nextCall++;
      state.calls.set(index, call);
      out.push({
        type: "tool_call_start",
        index: call,
        id: str(block.id) ?? "",
        name: str(block.name) ?? "",
      });
      break;
    }
  }
}

function blockDelta(state: ClaudeDecodeState, data: JsonObject, out: IrStreamEvent[]): void {
  const delta = obj(data.delta);
  switch (delta?.type) {
    case "text_delta": {
      const text = str(delta.text);
      if (text) out.push({ type: "text", text });
      break;
    }
    case "thinking_delta": {
      const text = str(delta.thinking);
      if (text) out.push({ type: "reasoning", text });
      break;
    }
    case "signature_delta":
      out.push({ type: "reasoning_signature", signature: str(delta.signature) ?? "", origin: "claude" });
      break;
    case "input_json_delta": {
      const call = state.calls.get(num(data.index) ?? -1);
      const json = str(delta.partial_json);
      if (call !== undefined && json) out.push({ type: "tool_call_delta", index: call, arguments: json });
      break;
    }
  }
}

function usageEvent(state: ClaudeDecodeState, raw: unknown, out: IrStreamEvent[]): void {
  const u = obj(raw);
  if (!u) return;
  mergeClaudeUsage(state.usage, u);
  out.push({ type: "usage", usage: claudeUsageToIr(state.usage) });
}

export function decodeClaudeStreamEvent(state: ClaudeDecodeState, event: SseEvent): IrStreamEvent[] {
  const out: IrStreamEvent[] = [];
  const data = streamEventObject(event.data);
  if (!data) return out;
  switch (str(data.type) ?? event.event) {
    case "message_start": {
      const msg = obj(data.message) ?? {};
      out.push({ type: "start", id: str(msg.id) ?? "", model: str(msg.model) ?? "" });
      usageEvent(state, msg.usage, out);
      break;
    }
    case "content_block_start":
      blockStart(state, data, out);
      break;
    case "content_block_delta":
      blockDelta(state, data, out);
      break;
    case "message_delta": {
      usageEvent(state, data.usage, out);
      const delta = obj(data.delta);
      if (delta?.stop_reason) {
        const stopSequence = str(delta.stop_sequence);
        out.push({
          type: "finish",
          reason: claudeStopToIr(delta.stop_reason),
          ...(stopSequence ? { stopSequence } : {}),
        });
      }
      break;
    }
    case "message_stop":
      out.push({ type: "end" });
      break;
    case "error":
      out.push({ type: "error", error: errorFromStreamPayload(data) });
      break;
  }
  return out;
}
