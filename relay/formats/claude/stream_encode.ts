/**
 * IR stream events → Anthropic SSE, generated from a small state machine (§5.7): message_start, one
 * start/delta/stop group per block in index order, message_delta with stop reason and usage, message_stop.
 * Every event carries its `event:` name, which the Anthropic SDK dispatches on.
 */
import type { SseEvent } from "../../sse/event.ts";
import type { StreamEncodeOptions } from "../codec.ts";
import { type RelayError, renderStreamError } from "../errors.ts";
import { effectiveFinish } from "../finish.ts";
import { emptyUsage, type IrFinishReason, type IrStreamEvent, type IrUsage } from "../ir.ts";
import { wrapReasoningSignature, wrapToolCallId } from "../signature.ts";
import { irFinishToClaude } from "./finish.ts";
import { claudeMessageId } from "./response.ts";
import { irUsageToClaude } from "./usage.ts";

type BlockKind = "text" | "thinking" | "tool";

export interface ClaudeEncodeState {
  opts: StreamEncodeOptions;
  id: string;
  model: string;
  started: boolean;
  nextBlock: number;
  open?: { kind: BlockKind; call?: number };
  usage?: IrUsage;
  finish?: IrFinishReason;
  stopSequence?: string;
  sawToolCalls: boolean;
  closed: boolean;
}

export function newClaudeStreamEncoder(opts: StreamEncodeOptions = {}): ClaudeEncodeState {
  return { opts, id: "", model: "", started: false, nextBlock: 0, sawToolCalls: false, closed: false };
}

function sse(type: string, payload: Record<string, unknown>): SseEvent {
  return { event: type, data: JSON.stringify({ type, ...payload }) };
}

/** message_start waits for the first content so it can carry the input usage when the upstream sent it. */
function begin(state: ClaudeEncodeState, out: SseEvent[]): void {
  if (state.started) return;
  state.started = true;
  const usage = irUsageToClaude(state.usage ?? emptyUsage());
  out.push(sse("message_start", {
    message: {
      id: claudeMessageId(state.id),
      type: "message",
      role: "assistant",
      model: state.opts.model ?? state.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 0 },
    },
  }));
}

function closeBlock(state: ClaudeEncodeState, out: SseEvent[]): void {
  if (!state.open) return;
  out.push(sse("content_block_stop", { index: state.nextBlock - 1 }));
  state.open = undefined;
}

function openBlock(
  state: ClaudeEncodeState,
  out: SseEvent[],
  kind: BlockKind,
  block: unknown,
  call?: number,
) {
  closeBlock(state, out);
  out.push(sse("content_block_start", { index: state.nextBlock++, content_block: block }));
  state.open = { kind, call };
}

function delta(state: ClaudeEncodeState, d: Record<string, unknown>): SseEvent {
  return sse("content_block_delta", { index: state.nextBlock - 1, delta: d });
}

export function encodeClaudeStreamEvent(state: ClaudeEncodeState, ev: IrStreamEvent): SseEvent[] {
  if (state.closed) return [];
  const out: SseEvent[] = [];
  switch (ev.type) {
    case "start":
      state.id = ev.id;
      state.model = ev.model;
      return out;
    case "usage":
      state.usage = ev.usage;
      return out;
    case "finish":
      state.finish = ev.reason;
      state.stopSequence = ev.stopSequence;
      return out;
    case "end":
      return endClaudeStream(state);
    case "error":
      return failClaudeStream(state, ev.error);
  }
  begin(state, out);
  switch (ev.type) {
    case "text":
      if (state.open?.kind !== "text") openBlock(state, out, "text", { type: "text", text: "" });
      out.push(delta(state, { type: "text_delta", text: ev.text }));
      break;
    case "reasoning":
      if (state.open?.kind !== "thinking") {
        openBlock(state, out, "thinking", { type: "thinking", thinking: "", signature: "" });
      }
      out.push(delta(state, { type: "thinking_delta", thinking: ev.text }));
      break;
    case "reasoning_signature": {
      if (state.open?.kind !== "thinking") {
        openBlock(state, out, "thinking", { type: "thinking", thinking: "", signature: "" });
      }
      const signature = wrapReasoningSignature("claude", ev);
      out.push(delta(state, { type: "signature_delta", signature }));
      closeBlock(state, out);
      break;
    }
    case "redacted_reasoning": {
      const data = wrapReasoningSignature("claude", {
        origin: ev.origin,
        signature: ev.data,
        redacted: true,
      });
      openBlock(state, out, "thinking", { type: "redacted_thinking", data });
      closeBlock(state, out);
      break;
    }
    case "tool_call_start": {
      state.sawToolCalls = true;
      const id = wrapToolCallId("claude", ev.id, ev.signature, ev.origin);
      openBlock(state, out, "tool", { type: "tool_use", id, name: ev.name, input: {} }, ev.index);
      break;
    }
    case "tool_call_delta":
      if (state.open?.kind === "tool" && state.open.call === ev.index) {
        out.push(delta(state, { type: "input_json_delta", partial_json: ev.arguments }));
      }
      break;
  }
  return out;
}

export function endClaudeStream(state: ClaudeEncodeState): SseEvent[] {
  if (state.closed) return [];
  const out: SseEvent[] = [];
  begin(state, out);
  closeBlock(state, out);
  const reason = irFinishToClaude(effectiveFinish(state.finish, state.sawToolCalls), state.stopSequence);
  out.push(sse("message_delta", {
    delta: { stop_reason: reason, stop_sequence: reason === "stop_sequence" ? state.stopSequence : null },
    usage: irUsageToClaude(state.usage ?? emptyUsage()),
  }));
  out.push(sse("message_stop", {}));
  state.closed = true;
  return out;
}

export function failClaudeStream(state: ClaudeEncodeState, err: RelayError): SseEvent[] {
  if (state.closed) return [];
  state.closed = true;
  return renderStreamError("claude", err);
}
