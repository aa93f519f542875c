/**
 * OpenAI Responses SSE → IR stream events. Items are addressed by `output_index`; calls pair on `call_id`
 * and stream `function_call_arguments.delta` (some servers send only `.done`, which is then used whole).
 */
import type { SseEvent } from "../../sse/event.ts";
import { errorFromStreamPayload } from "../errors.ts";
import type { IrStreamEvent } from "../ir.ts";
import { arr, type JsonObject, num, obj, str, streamEventObject } from "../upstream_body.ts";
import { responsesStatusToIr } from "./response.ts";
import { responsesUsageToIr } from "./usage.ts";

interface ItemSlot {
  call?: number;
  /** Call arguments or reasoning text already streamed for this item. */
  streamed: boolean;
  summaryIndex: number;
}

export interface ResponsesDecodeState {
  items: Map<number, ItemSlot>;
  nextCall: number;
  /** An `error` event was seen: the `response.failed` that follows adds nothing. */
  failed: boolean;
  /** Last `sequence_number` seen, so a pass-through error event can continue the sequence. */
  lastSequence: number;
}

export function newResponsesStreamDecoder(): ResponsesDecodeState {
  return { items: new Map(), nextCall: 0, failed: false, lastSequence: -1 };
}

function slot(state: ResponsesDecodeState, data: JsonObject): ItemSlot {
  const index = num(data.output_index) ?? 0;
  let s = state.items.get(index);
  if (!s) state.items.set(index, s = { streamed: false, summaryIndex: 0 });
  return s;
}

function itemAdded(state: ResponsesDecodeState, data: JsonObject, out: IrStreamEvent[]): void {
  const item = obj(data.item);
  const s = slot(state, data);
  if (item?.type !== "function_call") return;
  s.call = state.nextCall++;
  out.push({
    type: "tool_call_start",
    index: s.call,
    id: str(item.call_id) ?? str(item.id) ?? "",
    name: str(item.name) ?? "",
  });
  const args = str(item.arguments);
  if (args) {
    s.streamed = true;
    out.push({ type: "tool_call_delta", index: s.call, arguments: args });
  }
}

function itemDone(state: ResponsesDecodeState, data: JsonObject, out: IrStreamEvent[]): void {
  const item = obj(data.item);
  const s = slot(state, data);
  if (item?.type === "function_call" && !s.streamed && s.call !== undefined) {
    const args = str(item.arguments);
    if (args) out.push({ type: "tool_call_delta", index: s.call, arguments: args });
  }
  if (item?.type === "reasoning") {
    if (!s.streamed) {
      const text = [...arr(item.summary), ...arr(item.content)].map((p) => str(obj(p)?.text) ?? "").join(
        "\n\n",
      );
      if (text) out.push({ type: "reasoning", text });
    }
    const signature = str(item.encrypted_content);
    const id = str(item.id);
    if (signature) {
      out.push({ type: "reasoning_signature", signature, origin: "openai_responses", ...(id ? { id } : {}) });
    }
  }
}

function reasoningDelta(state: ResponsesDecodeState, data: JsonObject, out: IrStreamEvent[]): void {
  const s = slot(state, data);
  const index = num(data.summary_index) ?? 0;
  // Summary parts of one item read as paragraphs of one block.
  if (index > s.summaryIndex && s.streamed) out.push({ type: "reasoning", text: "\n\n" });
  s.summaryIndex = index;
  const delta = str(data.delta);
  if (delta) {
    s.streamed = true;
    out.push({ type: "reasoning", text: delta });
  }
}

function finished(data: JsonObject, out: IrStreamEvent[]): void {
  const res = obj(data.response) ?? {};
  const usage = obj(res.usage);
  if (usage) out.push({ type: "usage", usage: responsesUsageToIr(usage) });
  out.push({ type: "finish", reason: responsesStatusToIr(res) });
  out.push({ type: "end" });
}

export function decodeResponsesStreamEvent(state: ResponsesDecodeState, event: SseEvent): IrStreamEvent[] {
  const out: IrStreamEvent[] = [];
  const data = streamEventObject(event.data);
  if (!data) return out;
  state.lastSequence = num(data.sequence_number) ?? state.lastSequence;
  switch (str(data.type) ?? event.event) {
    case "response.created": {
      const res = obj(data.response) ?? {};
      const start: IrStreamEvent = { type: "start", id: str(res.id) ?? "", model: str(res.model) ?? "" };
      const created = num(res.created_at);
      if (created !== undefined) start.created = created;
      out.push(start);
      break;
    }
    case "response.output_item.added":
      itemAdded(state, data, out);
      break;
    case "response.output_text.delta":
    case "response.refusal.delta": {
      const text = str(data.delta);
      if (text) out.push({ type: "text", text });
      break;
    }
    case "response.reasoning_summary_text.delta":
    case "response.reasoning_text.delta":
      reasoningDelta(state, data, out);
      break;
    case "response.function_call_arguments.delta": {
      const s = slot(state, data);
      const args = str(data.delta);
      if (args && s.call !== undefined) {
        s.streamed = true;
        out.push({ type: "tool_call_delta", index: s.call, arguments: args });
      }
      break;
    }
    case "response.output_item.done":
      itemDone(state, data, out);
      break;
    case "response.completed":
    case "response.incomplete":
      finished(data, out);
      break;
    case "response.failed":
      if (!state.failed) {
        const res = obj(data.response) ?? {};
        out.push({ type: "error", error: errorFromStreamPayload({ error: res.error ?? {} }) });
      }
      state.failed = true;
      break;
    case "error":
      state.failed = true;
      out.push({ type: "error", error: errorFromStreamPayload(data) });
      break;
  }
  return out;
}
