/**
 * Cohere's v2 Chat API (`POST /v2/chat`) as an upstream wire format, read from Cohere's API reference
 * ("Chat", "Chat with Streaming": message-start, content-start/-delta/-end, tool-plan-delta,
 * tool-call-start/-delta/-end, message-end) and the `cohere` SDK's v2 types. Messages are OpenAI-like
 * (system/user/assistant/tool roles, `tool_calls` with JSON-text arguments); the assistant's `tool_plan`
 * is its reasoning before calls, carried as reasoning text; `thinking` content is reasoning too.
 *
 * Usage: `usage.tokens` are the model's counts (`input_tokens` includes `cached_tokens`, which v2 reports
 * beside them), read with OpenAI's semantics; `billed_units` are the fallback.
 */
import type { SseEvent } from "../../sse/event.ts";
import { errorFromStreamPayload, invalidRequest } from "../../formats/errors.ts";
import type {
  IrFinishReason,
  IrOutputPart,
  IrPart,
  IrRequest,
  IrResponse,
  IrStreamEvent,
  IrUsage,
} from "../../formats/ir.ts";
import {
  arr,
  type JsonObject,
  num,
  obj,
  str,
  streamEventObject,
  tokenCount,
  upstreamObject,
} from "../../formats/upstream_body.ts";
import { type ChatTurn, chatTurns, toolParameters, type WireCodec } from "../../formats/wire.ts";
import { claudeBudgetForEffort } from "../../formats/reasoning.ts";

type Json = Record<string, unknown>;

function encodeMessages(turns: ChatTurn[]): Json[] {
  const out: Json[] = [];
  for (const t of turns) {
    if (t.role === "system") out.push({ role: "system", content: t.text });
    else if (t.role === "tool") {
      out.push({
        role: "tool",
        tool_call_id: t.callId,
        content: t.text || (t.result.isError ? "error" : ""),
      });
    } else if (t.role === "assistant") {
      const msg: Json = { role: "assistant" };
      if (t.calls.length) {
        msg.tool_calls = t.calls.map((c) => ({
          id: c.id,
          type: "function",
          function: { name: c.name, arguments: c.arguments || "{}" },
        }));
        if (t.reasoning) msg.tool_plan = t.reasoning;
      }
      if (t.text) msg.content = t.text;
      if (t.calls.length || t.text) out.push(msg);
    } else {
      const parts = t.parts.flatMap(userPart);
      if (!parts.length) continue;
      const onlyText = parts.every((p) => p.type === "text");
      out.push({ role: "user", content: onlyText ? parts.map((p) => p.text).join("\n") : parts });
    }
  }
  return out;
}

function userPart(p: IrPart): Json[] {
  if (p.type === "text") return p.text ? [{ type: "text", text: p.text }] : [];
  if (p.type === "image") {
    const url = p.source.kind === "url"
      ? p.source.url
      : p.source.kind === "base64"
      ? `data:${p.source.mediaType};base64,${p.source.data}`
      : undefined;
    if (!url) throw invalidRequest("Cohere takes images as URLs or inline data, not file ids");
    return [{ type: "image_url", image_url: { url, ...(p.detail ? { detail: p.detail } : {}) } }];
  }
  if (p.type === "audio" || p.type === "file") {
    throw invalidRequest(`${p.type} input is not supported by Cohere's chat API`);
  }
  return [];
}

export function encodeCohereRequest(ir: IrRequest): Record<string, unknown> {
  const body: Json = { model: ir.model, messages: encodeMessages(chatTurns(ir)) };
  if (ir.stream) body.stream = true;
  if (ir.maxTokens !== undefined) body.max_tokens = ir.maxTokens;
  if (ir.temperature !== undefined) body.temperature = ir.temperature;
  if (ir.topP !== undefined) body.p = ir.topP;
  if (ir.topK !== undefined) body.k = ir.topK;
  if (ir.stop?.length) body.stop_sequences = ir.stop;
  if (ir.seed !== undefined) body.seed = ir.seed;
  if (ir.frequencyPenalty !== undefined) body.frequency_penalty = ir.frequencyPenalty;
  if (ir.presencePenalty !== undefined) body.presence_penalty = ir.presencePenalty;
  if (ir.tools?.length) {
    body.tools = ir.tools.map((t) => ({
      type: "function",
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: toolParameters(t),
      },
    }));
    const tc = ir.toolChoice;
    if (tc?.type === "required" || tc?.type === "tool") body.tool_choice = "REQUIRED";
    else if (tc?.type === "none") body.tool_choice = "NONE";
  }
  const rf = ir.responseFormat;
  if (rf?.type === "json_object") body.response_format = { type: "json_object" };
  else if (rf?.type === "json_schema") body.response_format = { type: "json_object", json_schema: rf.schema };
  const r = ir.reasoning;
  if (r) {
    body.thinking = r.enabled
      ? {
        type: "enabled",
        ...(r.budgetTokens || r.effort
          ? { token_budget: r.budgetTokens ?? claudeBudgetForEffort(r.effort!) }
          : {}),
      }
      : { type: "disabled" };
  }
  return body;
}

const FINISH: Record<string, IrFinishReason> = {
  COMPLETE: "stop",
  STOP_SEQUENCE: "stop_sequence",
  MAX_TOKENS: "length",
  TOOL_CALL: "tool_calls",
  ERROR: "stop",
  TIMEOUT: "stop",
};

export function cohereUsage(u: JsonObject): IrUsage {
  const tokens = obj(u.tokens) ?? obj(u.billed_units) ?? {};
  const input = tokenCount(tokens.input_tokens);
  const cached = Math.min(tokenCount(u.cached_tokens), input);
  return {
    inputTokens: input - cached,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    outputTokens: tokenCount(tokens.output_tokens),
    reasoningTokens: 0,
  };
}

export function decodeCohereResponse(body: unknown, model: string): IrResponse {
  const o = upstreamObject(body, "Cohere chat answer");
  if (typeof o.message === "string" && !o.finish_reason) throw errorFromStreamPayload({ error: o });
  const msg = obj(o.message) ?? {};
  const content: IrOutputPart[] = [];
  for (const raw of arr(msg.content)) {
    const c = obj(raw);
    if (c?.type === "thinking" && typeof c.thinking === "string") {
      content.push({ type: "reasoning", text: c.thinking });
    }
  }
  if (typeof msg.tool_plan === "string" && msg.tool_plan) {
    content.push({ type: "reasoning", text: msg.tool_plan });
  }
  for (const raw of arr(msg.content)) {
    const c = obj(raw);
    if (c?.type === "text" && typeof c.text === "string") content.push({ type: "text", text: c.text });
  }
  for (const raw of arr(msg.tool_calls)) {
    const c = obj(raw);
    const fn = obj(c?.function);
    if (!c || !fn) continue;
    content.push({
      type: "tool_call",
      id: str(c.id) ?? "",
      name: str(fn.name) ?? "",
      arguments: typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
    });
  }
  const usage = obj(o.usage);
  return {
    id: str(o.id) ?? "",
    model,
    content,
    finishReason: FINISH[String(o.finish_reason)] ?? "stop",
    ...(usage ? { usage: cohereUsage(usage) } : {}),
  };
}

export interface CohereDecodeState {
  model: string;
  started: boolean;
  /** Cohere's tool call index → IR tool call index. */
  calls: Map<number, number>;
  nextCall: number;
  /** content index → its kind. */
  kinds: Map<number, string>;
}

export function newCohereStreamDecoder(model: string): CohereDecodeState {
  return { model, started: false, calls: new Map(), nextCall: 0, kinds: new Map() };
}

export function decodeCohereStreamEvent(s: CohereDecodeState, event: SseEvent): IrStreamEvent[] {
  const out: IrStreamEvent[] = [];
  const p = streamEventObject(event.data);
  if (!p) return out;
  const type = str(p.type) ?? event.event ?? "";
  if (type === "error" || (!p.type && typeof p.message === "string")) {
    out.push({ type: "error", error: errorFromStreamPayload({ error: p }) });
    return out;
  }
  const index = num(p.index) ?? 0;
  const message = obj(obj(p.delta)?.message) ?? {};
  if (!s.started) {
    s.started = true;
    out.push({ type: "start", id: str(p.id) ?? "", model: s.model });
  }
  switch (type) {
    case "content-start": {
      const c = obj(message.content);
      s.kinds.set(index, str(c?.type) ?? "text");
      break;
    }
    case "content-delta": {
      const c = obj(message.content) ?? {};
      if (typeof c.thinking === "string") out.push({ type: "reasoning", text: c.thinking });
      else if (typeof c.text === "string") {
        out.push({ type: s.kinds.get(index) === "thinking" ? "reasoning" : "text", text: c.text });
      }
      break;
    }
    case "tool-plan-delta":
      if (typeof message.tool_plan === "string") out.push({ type: "reasoning", text: message.tool_plan });
      break;
    case "tool-call-start": {
      const call = obj(message.tool_calls) ?? {};
      const fn = obj(call.function) ?? {};
      const i = s.nextCall++;
      s.calls.set(index, i);
      out.push({ type: "tool_call_start", index: i, id: str(call.id) ?? "", name: str(fn.name) ?? "" });
      if (typeof fn.arguments === "string" && fn.arguments) {
        out.push({ type: "tool_call_delta", index: i, arguments: fn.arguments });
      }
      break;
    }
    case "tool-call-delta": {
      const fn = obj(obj(message.tool_calls)?.function) ?? {};
      const i = s.calls.get(index);
      if (i !== undefined && typeof fn.arguments === "string") {
        out.push({ type: "tool_call_delta", index: i, arguments: fn.arguments });
      }
      break;
    }
    case "message-end": {
      const delta = obj(p.delta) ?? {};
      const usage = obj(delta.usage);
      if (usage) out.push({ type: "usage", usage: cohereUsage(usage) });
      out.push({ type: "finish", reason: FINISH[String(delta.finish_reason)] ?? "stop" });
      out.push({ type: "end" });
      break;
    }
  }
  return out;
}

export const cohereWire: WireCodec<CohereDecodeState> = {
  name: "cohere_v2",
  semantic: "openai",
  encodeRequest: encodeCohereRequest,
  decodeResponse: decodeCohereResponse,
  newStreamDecoder: newCohereStreamDecoder,
  decodeStreamEvent: decodeCohereStreamEvent,
};
