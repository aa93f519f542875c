/** IR stream events → OpenAI Chat SSE chunks, ending with `data: [DONE]` or an in-stream error. */
import type { SseEvent } from "../../sse/event.ts";
import type { StreamEncodeOptions } from "../codec.ts";
import { type RelayError, renderStreamError } from "../errors.ts";
import { effectiveFinish } from "../finish.ts";
import type { IrFinishReason, IrStreamEvent, IrUsage } from "../ir.ts";
import { wrapToolCallId } from "../signature.ts";
import { irFinishToChat } from "./finish.ts";
import { chatCompletionId } from "./response.ts";
import { irUsageToChat } from "./usage.ts";

export interface ChatEncodeState {
  opts: StreamEncodeOptions;
  /** `{"id":…,"object":…,"created":…,"model":…,` written once, reused by every chunk. */
  head?: string;
  finished: boolean;
  closed: boolean;
  sawToolCalls: boolean;
  usage?: IrUsage;
}

export function newChatStreamEncoder(opts: StreamEncodeOptions = {}): ChatEncodeState {
  return { opts, finished: false, closed: false, sawToolCalls: false };
}

function chunk(state: ChatEncodeState, delta: unknown, finish: string | null = null): SseEvent {
  const choice = JSON.stringify({ index: 0, delta, logprobs: null, finish_reason: finish });
  return { data: `${state.head}"choices":[${choice}]}` };
}

function begin(state: ChatEncodeState, out: SseEvent[], id = "", model = "", created?: number): void {
  if (state.head) return;
  const o = state.opts;
  state.head = `{"id":${JSON.stringify(chatCompletionId(id))},"object":"chat.completion.chunk","created":${
    created ?? o.created ?? Math.floor(Date.now() / 1000)
  },"model":${JSON.stringify(o.model ?? model)},`;
  out.push(chunk(state, { role: "assistant", content: "" }));
}

function finish(state: ChatEncodeState, out: SseEvent[], reason?: IrFinishReason): void {
  if (state.finished) return;
  state.finished = true;
  out.push(chunk(state, {}, irFinishToChat(effectiveFinish(reason, state.sawToolCalls))));
}

export function encodeChatStreamEvent(state: ChatEncodeState, ev: IrStreamEvent): SseEvent[] {
  if (state.closed) return [];
  const out: SseEvent[] = [];
  if (ev.type === "start") {
    begin(state, out, ev.id, ev.model, ev.created);
    return out;
  }
  if (ev.type === "end") return endChatStream(state);
  if (ev.type === "error") return failChatStream(state, ev.error);
  begin(state, out);
  switch (ev.type) {
    case "text":
      out.push(chunk(state, { content: ev.text }));
      break;
    case "reasoning":
      out.push(chunk(state, { reasoning_content: ev.text }));
      break;
    case "tool_call_start": {
      state.sawToolCalls = true;
      const id = wrapToolCallId("openai_chat", ev.id, ev.signature, ev.origin);
      const call = { index: ev.index, id, type: "function", function: { name: ev.name, arguments: "" } };
      out.push(chunk(state, { tool_calls: [call] }));
      break;
    }
    case "tool_call_delta":
      out.push(chunk(state, { tool_calls: [{ index: ev.index, function: { arguments: ev.arguments } }] }));
      break;
    case "usage":
      state.usage = ev.usage;
      break;
    case "finish":
      finish(state, out, ev.reason);
      break;
      // Chat has no slot for signatures or redacted reasoning: they are dropped (§5.8).
  }
  return out;
}

export function endChatStream(state: ChatEncodeState): SseEvent[] {
  if (state.closed) return [];
  const out: SseEvent[] = [];
  begin(state, out);
  finish(state, out);
  if (state.opts.includeUsage && state.usage) {
    out.push({ data: `${state.head}"choices":[],"usage":${JSON.stringify(irUsageToChat(state.usage))}}` });
  }
  out.push({ data: "[DONE]" });
  state.closed = true;
  return out;
}

export function failChatStream(state: ChatEncodeState, err: RelayError): SseEvent[] {
  if (state.closed) return [];
  state.closed = true;
  return renderStreamError("openai_chat", err);
}
