/**
 * IR stream events → OpenAI Responses SSE: the created → in_progress → items → completed scaffold with
 * gapless `sequence_number`s (§5.7). Each item gets its added/delta/done group; items are closed before the
 * next opens. Finished items are kept for the terminal event's `response.output`.
 */
import type { SseEvent } from "../../sse/event.ts";
import type { StreamEncodeOptions } from "../codec.ts";
import { type RelayError, renderStreamError } from "../errors.ts";
import { effectiveFinish } from "../finish.ts";
import type { IrFinishReason, IrStreamEvent, IrUsage } from "../ir.ts";
import { wrapReasoningSignature, wrapToolCallId } from "../signature.ts";
import { responseId, responseObject, responsesStatus } from "./response.ts";

type Json = Record<string, unknown>;

type OpenItem =
  | { kind: "message"; id: string; text: string }
  | { kind: "reasoning"; id: string; text: string; summary: boolean; encrypted?: string }
  | { kind: "call"; id: string; callId: string; name: string; args: string; call: number };

export interface ResponsesEncodeState {
  opts: StreamEncodeOptions;
  seq: number;
  id: string;
  model: string;
  createdAt: number;
  started: boolean;
  output: Json[];
  open?: OpenItem;
  usage?: IrUsage;
  finish?: IrFinishReason;
  sawToolCalls: boolean;
  closed: boolean;
}

export function newResponsesStreamEncoder(opts: StreamEncodeOptions = {}): ResponsesEncodeState {
  return {
    opts,
    seq: 0,
    id: "",
    model: "",
    createdAt: opts.created ?? 0,
    started: false,
    output: [],
    sawToolCalls: false,
    closed: false,
  };
}

function emit(state: ResponsesEncodeState, out: SseEvent[], type: string, payload: Json): void {
  out.push({ event: type, data: JSON.stringify({ type, ...payload, sequence_number: state.seq++ }) });
}

function snapshot(
  state: ResponsesEncodeState,
  status: string,
  extra: { incomplete?: unknown; error?: unknown } = {},
) {
  const fields = {
    id: state.id,
    model: state.opts.model ?? state.model,
    createdAt: state.createdAt,
    status,
    incompleteDetails: extra.incomplete,
  };
  const done = status !== "in_progress";
  return responseObject(
    fields,
    done ? state.output : [],
    done ? state.usage : undefined,
    extra.error ?? null,
  );
}

function begin(state: ResponsesEncodeState, out: SseEvent[]): void {
  if (state.started) return;
  state.started = true;
  state.id = responseId(state.id);
  state.createdAt ||= Math.floor(Date.now() / 1000);
  emit(state, out, "response.created", { response: snapshot(state, "in_progress") });
  emit(state, out, "response.in_progress", { response: snapshot(state, "in_progress") });
}

function itemId(state: ResponsesEncodeState, prefix: string): string {
  return `${prefix}_${state.id.slice(5, 17)}${state.output.length}`;
}

function at(state: ResponsesEncodeState, id: string): Json {
  return { item_id: id, output_index: state.output.length };
}

const textPart = (text: string) => ({ type: "output_text", text, annotations: [], logprobs: [] });

function closeItem(state: ResponsesEncodeState, out: SseEvent[]): void {
  const it = state.open;
  if (!it) return;
  state.open = undefined;
  const where = at(state, it.id);
  let item: Json;
  if (it.kind === "message") {
    emit(state, out, "response.output_text.done", {
      ...where,
      content_index: 0,
      text: it.text,
      logprobs: [],
    });
    emit(state, out, "response.content_part.done", { ...where, content_index: 0, part: textPart(it.text) });
    item = {
      id: it.id,
      type: "message",
      status: "completed",
      role: "assistant",
      content: [textPart(it.text)],
    };
  } else if (it.kind === "reasoning") {
    const part = { type: "summary_text", text: it.text };
    if (it.summary) {
      emit(state, out, "response.reasoning_summary_text.done", { ...where, summary_index: 0, text: it.text });
      emit(state, out, "response.reasoning_summary_part.done", { ...where, summary_index: 0, part });
    }
    item = { id: it.id, type: "reasoning", summary: it.summary ? [part] : [] };
    if (it.encrypted !== undefined) item.encrypted_content = it.encrypted;
  } else {
    emit(state, out, "response.function_call_arguments.done", {
      ...where,
      name: it.name,
      arguments: it.args,
    });
    item = {
      id: it.id,
      type: "function_call",
      status: "completed",
      call_id: it.callId,
      name: it.name,
      arguments: it.args,
    };
  }
  emit(state, out, "response.output_item.done", { output_index: state.output.length, item });
  state.output.push(item);
}

/** Closes the open item, then opens the one `make` builds from its fresh id (ids count output items). */
function openItem<T extends OpenItem>(
  state: ResponsesEncodeState,
  out: SseEvent[],
  prefix: string,
  make: (id: string) => [T, Json],
): T {
  closeItem(state, out);
  const [it, added] = make(itemId(state, prefix));
  state.open = it;
  emit(state, out, "response.output_item.added", { output_index: state.output.length, item: added });
  return it;
}

function openReasoning(
  state: ResponsesEncodeState,
  out: SseEvent[],
): Extract<OpenItem, { kind: "reasoning" }> {
  if (state.open?.kind === "reasoning") return state.open;
  return openItem(state, out, "rs", (id) => [
    { kind: "reasoning", id, text: "", summary: false },
    { id, type: "reasoning", summary: [] },
  ]);
}

export function encodeResponsesStreamEvent(state: ResponsesEncodeState, ev: IrStreamEvent): SseEvent[] {
  if (state.closed) return [];
  const out: SseEvent[] = [];
  switch (ev.type) {
    case "start":
      state.id = ev.id;
      state.model = ev.model;
      if (ev.created) state.createdAt = ev.created;
      begin(state, out);
      return out;
    case "usage":
      state.usage = ev.usage;
      return out;
    case "finish":
      state.finish = ev.reason;
      return out;
    case "end":
      return endResponsesStream(state);
    case "error":
      return failResponsesStream(state, ev.error);
  }
  begin(state, out);
  switch (ev.type) {
    case "text": {
      let it = state.open;
      if (it?.kind !== "message") {
        it = openItem(state, out, "msg", (id) => [
          { kind: "message", id, text: "" },
          { id, type: "message", status: "in_progress", role: "assistant", content: [] },
        ]);
        emit(state, out, "response.content_part.added", {
          ...at(state, it.id),
          content_index: 0,
          part: textPart(""),
        });
      }
      it.text += ev.text;
      emit(state, out, "response.output_text.delta", {
        ...at(state, it.id),
        content_index: 0,
        delta: ev.text,
        logprobs: [],
      });
      break;
    }
    case "reasoning": {
      const it = openReasoning(state, out);
      if (!it.summary) {
        it.summary = true;
        const part = { type: "summary_text", text: "" };
        emit(state, out, "response.reasoning_summary_part.added", {
          ...at(state, it.id),
          summary_index: 0,
          part,
        });
      }
      it.text += ev.text;
      emit(state, out, "response.reasoning_summary_text.delta", {
        ...at(state, it.id),
        summary_index: 0,
        delta: ev.text,
      });
      break;
    }
    case "reasoning_signature":
    case "redacted_reasoning": {
      if (ev.type === "redacted_reasoning") closeItem(state, out);
      const it = openReasoning(state, out);
      const signature = ev.type === "redacted_reasoning" ? ev.data : ev.signature;
      const id = ev.type === "reasoning_signature" ? ev.id : undefined;
      const redacted = ev.type === "redacted_reasoning";
      it.encrypted = wrapReasoningSignature("openai_responses", {
        origin: ev.origin,
        signature,
        id,
        redacted,
      });
      closeItem(state, out);
      break;
    }
    case "tool_call_start": {
      state.sawToolCalls = true;
      const callId = wrapToolCallId("openai_responses", ev.id, ev.signature, ev.origin);
      openItem(state, out, "fc", (id) => [
        { kind: "call", id, callId, name: ev.name, args: "", call: ev.index },
        { id, type: "function_call", status: "in_progress", call_id: callId, name: ev.name, arguments: "" },
      ]);
      break;
    }
    case "tool_call_delta": {
      const it = state.open;
      if (it?.kind !== "call" || it.call !== ev.index) break;
      it.args += ev.arguments;
      emit(state, out, "response.function_call_arguments.delta", {
        ...at(state, it.id),
        delta: ev.arguments,
      });
      break;
    }
  }
  return out;
}

export function endResponsesStream(state: ResponsesEncodeState): SseEvent[] {
  if (state.closed) return [];
  const out: SseEvent[] = [];
  begin(state, out);
  closeItem(state, out);
  const { status, incomplete_details } = responsesStatus(effectiveFinish(state.finish, state.sawToolCalls));
  const type = status === "completed" ? "response.completed" : "response.incomplete";
  emit(state, out, type, { response: snapshot(state, status, { incomplete: incomplete_details }) });
  state.closed = true;
  return out;
}

export function failResponsesStream(state: ResponsesEncodeState, err: RelayError): SseEvent[] {
  if (state.closed) return [];
  const out: SseEvent[] = [];
  begin(state, out);
  out.push(...renderStreamError("openai_responses", err, { sequenceNumber: state.seq++ }));
  const error = { code: err.code, message: err.message };
  emit(state, out, "response.failed", { response: snapshot(state, "failed", { error }) });
  state.closed = true;
  return out;
}
