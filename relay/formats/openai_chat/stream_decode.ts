/**
 * OpenAI Chat SSE → IR stream events. Compatible providers may interleave parallel calls, repeat ids or
 * send whole arguments (§1.3c): calls are keyed by `index`, the first call streams live and later ones are
 * buffered and released in order at the finish, so the IR never resumes a call after another began.
 */
import type { SseEvent } from "../../sse/event.ts";
import { errorFromStreamPayload } from "../errors.ts";
import type { IrStreamEvent } from "../ir.ts";
import { arr, type JsonObject, num, obj, str, streamEventObject } from "../upstream_body.ts";
import { chatFinishToIr } from "./finish.ts";
import { chatUsageToIr } from "./usage.ts";

interface CallSlot {
  id: string;
  name: string;
  /** Fragments held back while another call streams live. */
  fragments: string[];
}

export interface ChatDecodeState {
  started: boolean;
  idBase: string;
  calls: Map<number, CallSlot>;
  /** Upstream index of the call streaming live. */
  live?: number;
  liveIndex: number;
  nextIndex: number;
}

export function newChatStreamDecoder(): ChatDecodeState {
  return { started: false, idBase: "", calls: new Map(), liveIndex: 0, nextIndex: 0 };
}

function flushBuffered(state: ChatDecodeState, out: IrStreamEvent[]): void {
  const keys = [...state.calls.keys()].filter((k) => k !== state.live).sort((a, b) => a - b);
  for (const key of keys) {
    const slot = state.calls.get(key)!;
    const index = state.nextIndex++;
    out.push({
      type: "tool_call_start",
      index,
      id: slot.id || `call_${state.idBase}_${index}`,
      name: slot.name,
    });
    for (const f of slot.fragments) out.push({ type: "tool_call_delta", index, arguments: f });
    state.calls.delete(key);
  }
}

function readToolCalls(state: ChatDecodeState, calls: unknown[], out: IrStreamEvent[]): void {
  for (let pos = 0; pos < calls.length; pos++) {
    const tc = obj(calls[pos]);
    if (!tc) continue;
    const fn = obj(tc.function);
    const key = num(tc.index) ?? pos;
    let slot = state.calls.get(key);
    if (!slot) {
      slot = { id: str(tc.id) ?? "", name: str(fn?.name) ?? "", fragments: [] };
      state.calls.set(key, slot);
      if (state.live === undefined) {
        state.live = key;
        const index = state.liveIndex = state.nextIndex++;
        const id = slot.id || `call_${state.idBase}_${index}`;
        out.push({ type: "tool_call_start", index, id, name: slot.name });
      }
    } else {
      slot.id ||= str(tc.id) ?? "";
      slot.name ||= str(fn?.name) ?? "";
    }
    const args = str(fn?.arguments);
    if (!args) continue;
    if (key === state.live) out.push({ type: "tool_call_delta", index: state.liveIndex, arguments: args });
    else slot.fragments.push(args);
  }
}

function readChunk(state: ChatDecodeState, chunk: JsonObject, out: IrStreamEvent[]): void {
  if (!state.started) {
    state.started = true;
    const id = str(chunk.id) ?? "";
    state.idBase = id.replace(/[^A-Za-z0-9]/g, "").slice(-12);
    const start: IrStreamEvent = { type: "start", id, model: str(chunk.model) ?? "" };
    const created = num(chunk.created);
    if (created !== undefined) start.created = created;
    out.push(start);
  }
  const choice = obj(arr(chunk.choices).find((c) => (num(obj(c)?.index) ?? 0) === 0));
  const delta = obj(choice?.delta);
  if (delta) {
    const reasoning = str(delta.reasoning_content) ?? str(delta.reasoning);
    if (reasoning) out.push({ type: "reasoning", text: reasoning });
    const content = str(delta.content);
    if (content) out.push({ type: "text", text: content });
    const refusal = str(delta.refusal);
    if (refusal) out.push({ type: "text", text: refusal });
    const calls = arr(delta.tool_calls);
    if (calls.length) readToolCalls(state, calls, out);
  }
  const finish = choice?.finish_reason;
  if (typeof finish === "string" && finish) {
    flushBuffered(state, out);
    out.push({ type: "finish", reason: chatFinishToIr(finish) });
  }
  const usage = obj(chunk.usage);
  if (usage) out.push({ type: "usage", usage: chatUsageToIr(usage) });
}

export function decodeChatStreamEvent(state: ChatDecodeState, event: SseEvent): IrStreamEvent[] {
  const out: IrStreamEvent[] = [];
  if (event.data === "[DONE]") {
    flushBuffered(state, out);
    out.push({ type: "end" });
    return out;
  }
  const chunk = streamEventObject(event.data);
  if (!chunk) return out;
  if (event.event === "error" || (chunk.error && typeof chunk.error === "object")) {
    out.push({ type: "error", error: errorFromStreamPayload(chunk) });
    return out;
  }
  readChunk(state, chunk, out);
  return out;
}
